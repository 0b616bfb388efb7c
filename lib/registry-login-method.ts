// The login methods: the one list the constructs, their validation and the user data renderer share.

/**
 * How a machine logs in to a registry with its managed identity.
 */
export enum RegistryLoginMethod {
  /**
   * The identity's token from the Instance Metadata Service, exchanged at the registry (`POST /oauth2/exchange`)
   * for a registry refresh token, then `docker login`. No Azure CLI, no Azure Resource Manager call.
   */
  TOKEN_EXCHANGE = 'token-exchange',
  /** The tutorial's `az login --identity` and `az acr login --name` (installs a current Azure CLI). */
  AZURE_CLI = 'azure-cli',
}
