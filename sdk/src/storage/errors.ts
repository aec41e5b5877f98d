import { BaseError } from "../errors.ts";

// Messages name ids, providers and sizes only; stored bytes are ciphertext and never printed.

export class StorageIdNotFoundError extends BaseError {
  override name = "StorageIdNotFoundError";
  readonly storageId: string;
  constructor(storageId: string, provider: string) {
    super(`No data under storage id ${storageId} at ${provider}.`, { docsPath: "storage.md#errors" });
    this.storageId = storageId;
  }
}

export class StorageUploadError extends BaseError {
  override name = "StorageUploadError";
  constructor(provider: string, details: string, cause?: unknown) {
    super(`Upload to ${provider} failed.`, { details, cause, docsPath: "storage.md#errors" });
  }
}

/** The bundler wants payment: Irys charges for uploads over 100 KiB. */
export class StorageInsufficientBalanceError extends BaseError {
  override name = "StorageInsufficientBalanceError";
  readonly bytes: number;
  constructor(provider: string, bytes: number, cause?: unknown) {
    super(`${provider} refused a ${bytes}-byte upload: the account's balance does not cover it.`, {
      cause,
      details: "Fund the uploading account on the bundler (irys.fund), or keep uploads under the free size.",
      docsPath: "storage.md#errors",
    });
    this.bytes = bytes;
  }
}

export class StorageDownloadError extends BaseError {
  override name = "StorageDownloadError";
  constructor(provider: string, details: string, cause?: unknown) {
    super(`Download from ${provider} failed.`, { details, cause, docsPath: "storage.md#errors" });
  }
}

export class InvalidStorageIdError extends BaseError {
  override name = "InvalidStorageIdError";
  constructor(details: string) {
    super("Invalid storage id.", { details, docsPath: "storage.md#storage-ids" });
  }
}

/** Bad input to a provider or the queue (not bytes, a bad tag); nothing was sent. */
export class InvalidUploadInputError extends BaseError {
  override name = "InvalidUploadInputError";
  constructor(details: string) {
    super("Invalid upload input.", { details, docsPath: "storage.md#upload-queue" });
  }
}

/** An item gave up after its last retry. Its bytes stay in the queue directory. */
export class UploadFailedError extends BaseError {
  override name = "UploadFailedError";
  readonly contentHash: string;
  readonly attempts: number;
  constructor(contentHash: string, attempts: number, cause?: unknown) {
    super(`Upload of ${contentHash} failed after ${attempts} attempts; it stays queued as failed.`, {
      cause,
      details: cause instanceof Error ? cause.message : undefined,
      docsPath: "storage.md#upload-queue",
    });
    this.contentHash = contentHash;
    this.attempts = attempts;
  }
}

/** Another live process (or browser tab) holds the queue's store. */
export class UploadQueueLockedError extends BaseError {
  override name = "UploadQueueLockedError";
  constructor(location: string, holder: number | string) {
    super(`Upload queue ${location} is in use by ${typeof holder === "number" ? `process ${holder}` : holder}.`, { docsPath: "storage.md#upload-queue" });
  }
}

/** The queue was closed; nothing more is accepted. Pending items stay on disk for the next open. */
export class UploadQueueClosedError extends BaseError {
  override name = "UploadQueueClosedError";
  constructor() {
    super("Upload queue is closed; pending items resume when it is opened again.", { docsPath: "storage.md#upload-queue" });
  }
}

/** The queue could not write its directory (disk full, permissions); the item was not queued. */
export class UploadQueueIOError extends BaseError {
  override name = "UploadQueueIOError";
  constructor(directory: string, cause: unknown) {
    super(`Upload queue ${directory} could not be written.`, { cause, details: (cause as Error)?.message, docsPath: "storage.md#upload-queue" });
  }
}
