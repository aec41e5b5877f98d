import { BaseError } from "../errors.ts";

export class StorageIdNotFoundError extends BaseError {
  override name = "StorageIdNotFoundError";
  readonly storageId: string;
  constructor(storageId: string, provider: string) {
    super(`No data under storage id ${storageId} at ${provider}.`);
    this.storageId = storageId;
  }
}

export class StorageUploadError extends BaseError {
  override name = "StorageUploadError";
  constructor(provider: string, details: string, cause?: unknown) {
    super(`Upload to ${provider} failed.`, { details, cause });
  }
}

export class StorageDownloadError extends BaseError {
  override name = "StorageDownloadError";
  constructor(provider: string, details: string, cause?: unknown) {
    super(`Download from ${provider} failed.`, { details, cause });
  }
}

export class InvalidStorageIdError extends BaseError {
  override name = "InvalidStorageIdError";
  constructor(details: string) {
    super("Invalid storage id.", { details });
  }
}
