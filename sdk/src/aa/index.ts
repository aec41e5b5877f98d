// @onekey/sdk/aa — smart accounts for any signer, and OneKey calls as sponsored user operations
// (ERC-4337 EntryPoint v0.8, OneKeyPaymaster, an ERC-7677 sponsor service).
export { toOneKeyAccount } from "./account.ts";
export type { ToOneKeyAccountParameters, ToOneKeyAccountReturnType } from "./account.ts";
export { ChainRequiredError, toOneKey7702Account } from "./account7702.ts";
export type { ToOneKey7702AccountParameters, ToOneKey7702AccountReturnType } from "./account7702.ts";
export {
  InvalidSponsorshipTicketError,
  parseSponsorshipTicket,
  signSponsorshipTicket,
  sponsorshipTicketDomain,
  sponsorshipTicketTypes,
} from "./ticket.ts";
export type {
  ParsedSponsorshipTicket,
  SignSponsorshipTicketErrorType,
  SignSponsorshipTicketParameters,
  SignSponsorshipTicketReturnType,
  SponsorshipTicket,
} from "./ticket.ts";
export {
  API_KEY_SCOPE_SPONSOR,
  ENTRY_POINT_V08,
  PAYMASTER_POSTOP_GAS,
  PAYMASTER_VERIFICATION_GAS,
  POSTOP_OVERHEAD_GAS,
  STUB_SIGNATURE,
  sponsorshipTypes,
  chargeOf,
  encodePaymasterData,
  maxSponsoredCharge,
  maxSponsoredCost,
  sponsoredChargesIn,
  SmartAccountUnsupportedError,
  SponsoredOperationRevertedError,
  SponsorshipRefusedError,
} from "./paymaster.ts";
export type { SponsoredCharge, SponsoredGas, SponsorRefusal } from "./paymaster.ts";
export {
  createSponsoredClient,
  estimateSponsoredCost,
  estimateSponsoredGas,
  fundProject,
  getProjectBalance,
  sendSponsored,
  smartAccountSender,
  toSponsorError,
  UserOperationRejectedError,
  withdrawFromProject,
} from "./sponsor.ts";
export type {
  CreateSponsoredClientParameters,
  CreateSponsoredClientReturnType,
  EstimateSponsoredCostErrorType,
  EstimateSponsoredCostParameters,
  EstimateSponsoredCostReturnType,
  FundProjectParameters,
  PaymasterParameters,
  SendSponsoredErrorType,
  SendSponsoredParameters,
  ReadClient,
  SendSponsoredReturnType,
  SponsoredCall,
  WithdrawFromProjectParameters,
} from "./sponsor.ts";
