/**
 * The kind of Entra ID principal a role is assigned to (`principal_type` of a role assignment).
 */
export enum PrincipalType {
  /** Service principals, which include every managed identity. */
  SERVICE_PRINCIPAL = 'ServicePrincipal',
  /** A user. */
  USER = 'User',
  /** A group. */
  GROUP = 'Group',
}

/**
 * Something that can be granted a role: it has, or is, a principal.
 *
 * A user-assigned identity is its own grant principal; a VM's grant principal is its
 * system-assigned identity.
 */
export interface IGrantable {
  /** The principal that roles are assigned to. */
  readonly grantPrincipal: IPrincipal;
}

/**
 * An Entra ID principal that Azure roles can be assigned to.
 */
export interface IPrincipal extends IGrantable {
  /**
   * The principal's object ID: what `az role assignment create --assignee` needs.
   * For a managed identity this is its `principalId`, never its `clientId`.
   */
  readonly principalId: string;

  /** The kind of principal. */
  readonly principalType: PrincipalType;
}
