// Once per e2e run: build the app, start the stack, hand its info to the test files.
import type { TestProject } from "vitest/node";
import { buildApp, startTestStack } from "./harness.ts";

export default async function setup(project: TestProject) {
  buildApp();
  const stack = await startTestStack();
  project.provide("stack", JSON.parse(JSON.stringify(stack.info)));
  return async () => {
    await stack.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    stack: import("../../../scripts/stack/index.ts").StackInfo;
  }
}
