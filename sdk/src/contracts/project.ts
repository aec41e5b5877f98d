// ProjectRegistry actions: projects, members and roles, keys, API-key hashes.
import type { Address } from "viem";
import {
  acceptAdminCall,
  addApiKeyCall,
  createProjectCall,
  grantRolesCall,
  resumeProjectCall,
  revokeApiKeyCall,
  revokeRolesCall,
  setEscrowKeyCall,
  setMetadataURICall,
  setReviewKeyCall,
  shareReviewKeyCall,
  suspendProjectCall,
  transferAdminCall,
  type AddApiKeyArgs,
  type ApiKeyArgs,
  type CreateProjectArgs,
  type ProjectIdArgs,
  type ProjectKeyArgs,
  type RolesArgs,
  type SetMetadataURIArgs,
  type ShareReviewKeyArgs,
  type TransferAdminArgs,
} from "./calls.ts";
import { registryActions } from "./core.ts";
import type { ProjectRegistryReadErrorType, ProjectRegistryWriteErrorType } from "./errors.ts";
import { projectEvent } from "./events.ts";
import type { ClientInput, ReadParameters, RegistryReadReturnType, WriteParameters, WriteResult } from "./types.ts";

const { read, write } = registryActions("projectRegistry");

// The write path reads `account` as the sender; for role changes it names the member instead.
const asMember = <P extends RolesArgs>(p: P) => {
  const { account, ...rest } = p;
  return Object.assign(rest, { member: account }) as Omit<P, "account"> & { member: Address };
};

// --- writes --------------------------------------------------------------------------------------

export type CreateProjectParameters = WriteParameters & CreateProjectArgs;
export type CreateProjectReturnType = WriteResult & { projectId: bigint; admin: Address };
export type CreateProjectErrorType = ProjectRegistryWriteErrorType;
/** Creates a project administered by the sender; the id comes from the ProjectCreated event. */
export async function createProject(client: ClientInput, p: CreateProjectParameters): Promise<CreateProjectReturnType> {
  const [r, address] = await write(client, p, createProjectCall);
  const { args } = projectEvent(r, "ProjectCreated", address);
  return { ...r, projectId: args.projectId, admin: args.admin };
}

export type SetMetadataURIParameters = WriteParameters & SetMetadataURIArgs;
export type SetMetadataURIReturnType = WriteResult;
export type SetMetadataURIErrorType = ProjectRegistryWriteErrorType;
export const setMetadataURI = async (client: ClientInput, p: SetMetadataURIParameters): Promise<SetMetadataURIReturnType> =>
  (await write(client, p, setMetadataURICall))[0];

export type SuspendProjectParameters = WriteParameters & ProjectIdArgs;
export type SuspendProjectReturnType = WriteResult;
export type SuspendProjectErrorType = ProjectRegistryWriteErrorType;
export const suspendProject = async (client: ClientInput, p: SuspendProjectParameters): Promise<SuspendProjectReturnType> =>
  (await write(client, p, suspendProjectCall))[0];

export type ResumeProjectParameters = WriteParameters & ProjectIdArgs;
export type ResumeProjectReturnType = WriteResult;
export type ResumeProjectErrorType = ProjectRegistryWriteErrorType;
export const resumeProject = async (client: ClientInput, p: ResumeProjectParameters): Promise<ResumeProjectReturnType> =>
  (await write(client, p, resumeProjectCall))[0];

export type TransferAdminParameters = WriteParameters & TransferAdminArgs;
export type TransferAdminReturnType = WriteResult;
export type TransferAdminErrorType = ProjectRegistryWriteErrorType;
/** Starts a two-step admin transfer (zero address cancels). */
export const transferAdmin = async (client: ClientInput, p: TransferAdminParameters): Promise<TransferAdminReturnType> =>
  (await write(client, p, transferAdminCall))[0];

export type AcceptAdminParameters = WriteParameters & ProjectIdArgs;
export type AcceptAdminReturnType = WriteResult;
export type AcceptAdminErrorType = ProjectRegistryWriteErrorType;
export const acceptAdmin = async (client: ClientInput, p: AcceptAdminParameters): Promise<AcceptAdminReturnType> =>
  (await write(client, p, acceptAdminCall))[0];

/**
 * `account` is the member, as the contract names it; these two actions therefore take no sender
 * override: send from the client's own account (or a `sender`).
 */
export type GrantRolesParameters = Omit<WriteParameters, "account"> & RolesArgs;
export type GrantRolesReturnType = WriteResult & { roles: number };
export type GrantRolesErrorType = ProjectRegistryWriteErrorType;
/** Adds role bits (`Roles.REVIEWER | …`); returns the account's full mask afterwards. */
export async function grantRoles(client: ClientInput, p: GrantRolesParameters): Promise<GrantRolesReturnType> {
  const [r, address] = await write(client, asMember(p), grantRolesCall);
  return { ...r, roles: projectEvent(r, "RolesGranted", address).args.roles };
}

export type RevokeRolesParameters = Omit<WriteParameters, "account"> & RolesArgs;
export type RevokeRolesReturnType = WriteResult & { roles: number };
export type RevokeRolesErrorType = ProjectRegistryWriteErrorType;
export async function revokeRoles(client: ClientInput, p: RevokeRolesParameters): Promise<RevokeRolesReturnType> {
  const [r, address] = await write(client, asMember(p), revokeRolesCall);
  return { ...r, roles: projectEvent(r, "RolesRevoked", address).args.roles };
}

export type SetReviewKeyParameters = WriteParameters & ProjectKeyArgs;
export type SetReviewKeyReturnType = WriteResult & { keyVersion: number };
export type SetReviewKeyErrorType = ProjectRegistryWriteErrorType;
/** Sets or rotates the project's X25519 review key (grants to the project wrap to it). */
export async function setReviewKey(client: ClientInput, p: SetReviewKeyParameters): Promise<SetReviewKeyReturnType> {
  const [r, address] = await write(client, p, setReviewKeyCall);
  return { ...r, keyVersion: projectEvent(r, "ReviewKeySet", address).args.version };
}

export type SetEscrowKeyParameters = WriteParameters & ProjectKeyArgs;
export type SetEscrowKeyReturnType = WriteResult & { keyVersion: number };
export type SetEscrowKeyErrorType = ProjectRegistryWriteErrorType;
/** Sets or rotates the project's X25519 audit-escrow key. */
export async function setEscrowKey(client: ClientInput, p: SetEscrowKeyParameters): Promise<SetEscrowKeyReturnType> {
  const [r, address] = await write(client, p, setEscrowKeyCall);
  return { ...r, keyVersion: projectEvent(r, "EscrowKeySet", address).args.version };
}

export type ShareReviewKeyParameters = WriteParameters & ShareReviewKeyArgs;
export type ShareReviewKeyReturnType = WriteResult & { keyVersion: number };
export type ShareReviewKeyErrorType = ProjectRegistryWriteErrorType;
/** Publishes the review private key wrapped to a REVIEWER's own key (emitted, not stored). */
export async function shareReviewKey(client: ClientInput, p: ShareReviewKeyParameters): Promise<ShareReviewKeyReturnType> {
  const [r, address] = await write(client, p, shareReviewKeyCall);
  return { ...r, keyVersion: projectEvent(r, "ReviewKeyShared", address).args.keyVersion };
}

export type AddApiKeyParameters = WriteParameters & AddApiKeyArgs;
export type AddApiKeyReturnType = WriteResult;
export type AddApiKeyErrorType = ProjectRegistryWriteErrorType;
/** Registers keccak256 of an API key; the key itself stays with the integrator. */
export const addApiKey = async (client: ClientInput, p: AddApiKeyParameters): Promise<AddApiKeyReturnType> => (await write(client, p, addApiKeyCall))[0];

export type RevokeApiKeyParameters = WriteParameters & ApiKeyArgs;
export type RevokeApiKeyReturnType = WriteResult;
export type RevokeApiKeyErrorType = ProjectRegistryWriteErrorType;
export const revokeApiKey = async (client: ClientInput, p: RevokeApiKeyParameters): Promise<RevokeApiKeyReturnType> =>
  (await write(client, p, revokeApiKeyCall))[0];

// --- reads ---------------------------------------------------------------------------------------

/** The project as `getProject` returns it (typed from the ABI). */
export type OnChainProject = RegistryReadReturnType<"projectRegistry", "getProject">;
export type GetProjectParameters = ReadParameters & ProjectIdArgs;
export type GetProjectReturnType = OnChainProject;
export type GetProjectErrorType = ProjectRegistryReadErrorType;
/** The project as stored; ProjectNotFound for an unknown id. */
export const getProject = (client: ClientInput, p: GetProjectParameters): Promise<GetProjectReturnType> => read(client, p, "getProject", [p.projectId]);

export type GetProjectCountParameters = ReadParameters;
export type GetProjectCountReturnType = bigint;
export type GetProjectCountErrorType = ProjectRegistryReadErrorType;
export const getProjectCount = (client: ClientInput, p: GetProjectCountParameters = {}): Promise<GetProjectCountReturnType> =>
  read(client, p, "projectCount", []);

export type IsProjectActiveParameters = ReadParameters & ProjectIdArgs;
export type IsProjectActiveReturnType = boolean;
export type IsProjectActiveErrorType = ProjectRegistryReadErrorType;
export const isProjectActive = (client: ClientInput, p: IsProjectActiveParameters): Promise<IsProjectActiveReturnType> =>
  read(client, p, "isActive", [p.projectId]);

export type RolesOfParameters = ReadParameters & { projectId: bigint; account: Address };
export type RolesOfReturnType = number;
export type RolesOfErrorType = ProjectRegistryReadErrorType;
export const rolesOf = (client: ClientInput, p: RolesOfParameters): Promise<RolesOfReturnType> => read(client, p, "rolesOf", [p.projectId, p.account]);

export type HasRoleParameters = ReadParameters & { projectId: bigint; account: Address; role: number };
export type HasRoleReturnType = boolean;
export type HasRoleErrorType = ProjectRegistryReadErrorType;
export const hasRole = (client: ClientInput, p: HasRoleParameters): Promise<HasRoleReturnType> => read(client, p, "hasRole", [p.projectId, p.account, p.role]);
/** `hasRole` and the project is active: the check every registry makes before acting for a project. */
export const hasActiveRole = (client: ClientInput, p: HasRoleParameters): Promise<HasRoleReturnType> =>
  read(client, p, "hasActiveRole", [p.projectId, p.account, p.role]);
export type HasActiveRoleParameters = HasRoleParameters;
export type HasActiveRoleReturnType = boolean;
export type HasActiveRoleErrorType = ProjectRegistryReadErrorType;

export type ActiveProjectsWithRoleParameters = ReadParameters & { account: Address; role: number };
export type ActiveProjectsWithRoleReturnType = readonly bigint[];
export type ActiveProjectsWithRoleErrorType = ProjectRegistryReadErrorType;
export const activeProjectsWithRole = (client: ClientInput, p: ActiveProjectsWithRoleParameters): Promise<ActiveProjectsWithRoleReturnType> =>
  read(client, p, "activeProjectsWithRole", [p.account, p.role]);

export type ProjectsOfParameters = ReadParameters & { account: Address };
export type ProjectsOfReturnType = readonly bigint[];
export type ProjectsOfErrorType = ProjectRegistryReadErrorType;
export const projectsOf = (client: ClientInput, p: ProjectsOfParameters): Promise<ProjectsOfReturnType> => read(client, p, "projectsOf", [p.account]);

/** The API key as `getApiKey` returns it (typed from the ABI). */
export type OnChainApiKey = RegistryReadReturnType<"projectRegistry", "getApiKey">;
export type GetApiKeyParameters = ReadParameters & ApiKeyArgs;
export type GetApiKeyReturnType = OnChainApiKey;
export type GetApiKeyErrorType = ProjectRegistryReadErrorType;
/** The API key stored under `keyHash` (zeroes when unknown). */
export const getApiKey = (client: ClientInput, p: GetApiKeyParameters): Promise<GetApiKeyReturnType> => read(client, p, "getApiKey", [p.projectId, p.keyHash]);
