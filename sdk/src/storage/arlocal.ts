// Moved to ./testing/arlocal.ts; this path stays until scripts/stack imports the new one.
export { startArlocal, type LocalArweave, type StartArlocalOptions } from "./testing/arlocal.ts";
