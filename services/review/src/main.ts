// `node services/review/src/main.ts`: one review service instance, configured by the environment
// (src/service/from-env.ts). Stops cleanly on SIGINT/SIGTERM.
import { optionsFromEnv } from "./service/from-env.ts";
import { startReviewService } from "./service/index.ts";

const service = await startReviewService(await optionsFromEnv());
const stop = async () => {
  await service.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
