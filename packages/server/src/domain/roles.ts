/** Who a user is to the platform (PRODUCT.md "People"). */
export const roles = [
  'service_admin',
  'supervisor',
  'operator',
  'client_admin',
  'client_user',
] as const;
export type Role = (typeof roles)[number];

/** Client roles belong to exactly one tenant; service roles to none. */
export const clientRoles: readonly Role[] = ['client_admin', 'client_user'];
export const serviceRoles: readonly Role[] = ['service_admin', 'supervisor', 'operator'];

export function isClientRole(role: Role): boolean {
  return clientRoles.includes(role);
}
