import { Token } from 'cdktf';
import { isLoginServer, isRegistryName, LINUX_USERNAME, REGISTRY_NAME_RULE } from './azure-names';
import { PropsValidator } from './validation';
import { LOGIN_METHODS, MAX_LOGIN_TIMEOUT_SECONDS, MIN_LOGIN_TIMEOUT_SECONDS } from './vm-scripts';
import type { IContainerRegistry } from '../registry';

// The rules on a registry login's settings and on pullImages, shared by ContainerRegistryLogin (every target)
// and DockerVirtualMachine (which reports them among its own props).

/** The login settings every form of the login takes. */
export interface LoginSettingsInput {
  readonly adminUsername?: string;
  readonly loginTimeoutSeconds?: number;
  readonly loginMethod?: string;
}

/** Checks the admin user name (a literal must be a Linux user name), the retry budget and the login method. */
export function validateLoginSettings(v: PropsValidator, settings: LoginSettingsInput): void {
  const { adminUsername, loginTimeoutSeconds: timeout, loginMethod } = settings;
  v.expect(adminUsername === undefined || Token.isUnresolved(adminUsername) || LINUX_USERNAME.test(adminUsername),
    'adminUsername', adminUsername,
    'must be 1-64 letters, digits, ".", "_" or "-", start with a letter or "_" and not end with "."', 'use e.g. "azureuser"');
  if (timeout !== undefined) {
    const literal = !Token.isUnresolved(timeout);
    v.expect(literal, 'loginTimeoutSeconds', timeout,
      'is a token (known only at apply), but the login\'s user data is written at synth with the literal number',
      `pass a literal number of seconds, at least ${MIN_LOGIN_TIMEOUT_SECONDS}`);
    v.expect(!literal || (Number.isInteger(timeout) && timeout >= MIN_LOGIN_TIMEOUT_SECONDS && timeout <= MAX_LOGIN_TIMEOUT_SECONDS),
      'loginTimeoutSeconds', timeout,
      `must be a whole number of at least ${MIN_LOGIN_TIMEOUT_SECONDS} seconds: role assignments take up to 10 minutes to propagate` +
        ` (and at most ${MAX_LOGIN_TIMEOUT_SECONDS}: a run ends before the timer's next one)`,
      `leave it at the default (1800) or choose ${MIN_LOGIN_TIMEOUT_SECONDS} to ${MAX_LOGIN_TIMEOUT_SECONDS}`);
  }
  v.expect(loginMethod === undefined || (LOGIN_METHODS as readonly string[]).includes(loginMethod), 'loginMethod', loginMethod,
    `is not a login method (${LOGIN_METHODS.join(', ')})`, 'use RegistryLoginMethod.TOKEN_EXCHANGE or RegistryLoginMethod.AZURE_CLI');
}

/** Checks what pullImages is given: the registry's name and login server, and the images. */
export function validatePullImages(v: PropsValidator, registry: IContainerRegistry, images: string[]): void {
  v.expectLiteral(registry.registryName, isRegistryName, 'pullImages(registry.registryName)', REGISTRY_NAME_RULE,
    'give the registry\'s name as az acr list --query [].name shows it, e.g. "mycontainerregistry"');
  v.expectLiteral(registry.loginServer, isLoginServer, 'pullImages(registry.loginServer)', 'is not a host name (no scheme, path, port or spaces)',
    'give the registry\'s login server as az acr show --query loginServer shows it, e.g. "mycontainerregistry.azurecr.io"');
  if (Token.isUnresolved(images)) {
    v.expect(false, 'pullImages(images)', images, 'is a token list (known only at apply), but the login\'s user data names each image at synth',
      'pass a literal list of image references, e.g. ["aci-helloworld:v1"]');
    return;
  }
  for (const image of images) {
    v.expect(!Token.isUnresolved(image) && isImageReference(image), 'pullImages(images)', image,
      'is not an image reference relative to the registry (repository[:tag] or repository@sha256:digest, lowercase)',
      'give the image without the login server, e.g. "aci-helloworld:v1"');
  }
  v.expect(images.length > 0, 'pullImages(images)', images, 'is empty', 'name at least one image, e.g. ["aci-helloworld:v1"]');
}

/** A Docker image reference without registry host: `repo/name[:tag]` or `repo/name@sha256:<64 hex>`. */
export function isImageReference(image: string): boolean {
  const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  const pattern = new RegExp(`^${component}(?:/${component})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$`);
  const firstSegment = image.split('/')[0];
  const looksLikeHost = image.includes('/') && (firstSegment.includes('.') || firstSegment.includes(':'));
  return pattern.test(image) && !looksLikeHost;
}
