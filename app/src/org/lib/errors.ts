// The console's own errors (named BaseError subclasses) and the one place that turns any error —
// the indexer's named refusals, the SDK's, a wallet's — into a sentence an organisation's team can
// act on. Messages carry ids, hashes and scope names only, never a field value.
import { BaseError } from "@onekey/sdk/errors";

/** The indexer answered with a named refusal (`{ error, message }`) or not at all. */
export class IndexerApiError extends BaseError {
  override name = "IndexerApiError";
  /** The indexer's error name (e.g. MissingScope), or NetworkError / BadResponse. */
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, cause?: unknown) {
    super(message, { cause, docsPath: "indexer.md" });
    this.code = code;
    this.status = status;
  }
}

/** The review service answered with a named refusal (`{ error, message }`) or not at all. */
export class ReviewServiceError extends BaseError {
  override name = "ReviewServiceError";
  /** The service's error name (e.g. NotAReviewer), or NetworkError / BadResponse. */
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, cause?: unknown) {
    super(message, { cause, docsPath: "review-service.md#api" });
    this.code = code;
    this.status = status;
  }
}

/** A backup file that is not one, or a wrong passphrase. */
export class KeyBackupError extends BaseError {
  override name = "KeyBackupError";
  constructor(message: string, cause?: unknown) {
    super(message, { cause, docsPath: "app-org.md#keys" });
  }
}

/** The review key this browser needs to open a grant is not here. */
export class ReviewKeyMissingError extends BaseError {
  override name = "ReviewKeyMissingError";
  constructor(projectId: bigint, version: number) {
    super(`This browser does not hold review key v${version} of project ${projectId}: import its backup first.`, { docsPath: "app-org.md#keys" });
  }
}

/** A form value the console refuses before anything is sent. */
export class InvalidInputError extends BaseError {
  override name = "InvalidInputError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

const INDEXER_WORDS: Record<string, string> = {
  MissingApiKey: "Enter one of the project's API keys to use this page.",
  UnknownApiKey: "The indexer does not know this API key. It may not be indexed yet (wait a few seconds) or belong to another chain.",
  WrongProject: "This API key belongs to another project.",
  ApiKeyRevoked: "This API key was revoked. Create a new one under API keys.",
  ApiKeyExpired: "This API key has expired. Create a new one under API keys.",
  MissingScope: "This API key lacks the scope this page needs.",
  ProjectSuspended: "The project is suspended: its API keys are not honoured until it is resumed.",
  RateLimited: "Too many requests for now; try again in a few seconds.",
  EndpointRefused: "The indexer refused this webhook URL.",
  TooManyEndpoints: "The project already has the most webhook endpoints allowed; delete one first.",
  DeliveryInProgress: "This delivery is still being attempted; redeliver once it has finished.",
  NetworkError: "The indexer cannot be reached. Check that it is running and its URL in the configuration.",
};

const REVIEW_SERVICE_WORDS: Record<string, string> = {
  NetworkError:
    "The review service cannot be reached. Check that it is running (reviewUrl in the app's config.json); the case queue comes back when it answers.",
  BadResponse: "The review service gave an answer this page does not understand.",
  MissingApiKey: "Enter one of the project's API keys to see the review service's case queue.",
  UnknownApiKey: "The review service does not accept this API key: it is not a key of this project. Check it for typos, or create one under API keys.",
  ApiKeyRevoked: "This API key was revoked. Create a new one under API keys.",
  ApiKeyExpired: "This API key has expired. Create a new one under API keys.",
  MissingScope: "This API key lacks the “read” scope the review service needs.",
  NotAReviewer:
    "The connected wallet does not hold this project's REVIEWER role, so the review service refuses its decisions. An admin grants it under Members.",
  NotAnAdmin: "Only one of the project's admins may do this.",
  NotAssigneeOrAdmin: "Only the reviewer who took the case, or an admin, may hand it over.",
  OriginNotAllowed: "The review service does not accept requests from this page's address. Its operator must add this app's origin to its allowed origins.",
  ProjectNotServed: "The review service does not review for this project.",
  CaseNotFound: "The review service has no such case for this project.",
  CaseBusy: "An automated step is working on this case right now; try again in a few seconds.",
  InvalidTransition: "The case has moved on since this page showed it (another reviewer, or the service); look at it again.",
  ReplayedRequest: "This signed request was already used. Try again: a new signature is made.",
  StaleReviewerSignature: "The review service refused the signature's time stamp: check this computer's clock.",
  InvalidReviewerSignature: "The review service could not verify the wallet's signature for this request.",
  MissingReviewerSignature: "The request was not signed by a reviewer's wallet. Connect a wallet first.",
};

/** One sentence for any error, in plain words; the technical line stays available as `detail`. */
export function plainWords(error: unknown): { message: string; detail?: string } {
  if (error instanceof ReviewServiceError) {
    const words = REVIEW_SERVICE_WORDS[error.code];
    return { message: words ?? `The review service refused: ${error.shortMessage}`, detail: `${error.code}: ${error.shortMessage}` };
  }
  if (error instanceof IndexerApiError) {
    const words = INDEXER_WORDS[error.code];
    return { message: words ? `${words}` : error.shortMessage, detail: `${error.code}: ${error.shortMessage}` };
  }
  if (error instanceof BaseError) {
    const name = error.name;
    if (/UserRejected|rejected the request|User denied/i.test(error.message)) return { message: "The wallet refused to sign. Nothing was sent." };
    if (name === "SponsorshipRefusedError") return { message: `Sponsorship was refused: ${error.shortMessage}`, detail: name };
    if (name === "ReviewKeyMissingError" || name === "KeyBackupError" || name === "InvalidInputError") return { message: error.shortMessage };
    return { message: error.shortMessage, detail: name };
  }
  if (error instanceof Error) {
    if (/UserRejected|rejected the request|User denied/i.test(error.message)) return { message: "The wallet refused to sign. Nothing was sent." };
    if (/Failed to fetch|NetworkError|ECONNREFUSED/i.test(error.message)) return { message: "A service cannot be reached. Check that the stack is running." };
    return { message: error.message.split("\n")[0] };
  }
  return { message: String(error) };
}
