// Once per e2e run: build the app, start the stack, hand its info to the test files.
import { readFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { buildApp, setUpServedProject, startTestStack } from "./harness.ts";

export default async function setup(project: TestProject) {
  buildApp();
  // Iterating on a test: ONEKEY_E2E_STACK=<data dir>/stack.json reuses a running `npm start`.
  if (process.env.ONEKEY_E2E_STACK) {
    const info = JSON.parse(readFileSync(process.env.ONEKEY_E2E_STACK, "utf8"));
    project.provide("stack", info);
    project.provide("served", await setUpServedProject(info));
    return;
  }
  const stack = await startTestStack();
  project.provide("stack", JSON.parse(JSON.stringify(stack.info)));
  // Before any test file creates a project: the review service serves the stack's next id.
  try {
    project.provide("served", await setUpServedProject(stack.info));
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return async () => {
    await stack.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    stack: import("../../../scripts/stack/index.ts").StackInfo;
    served: import("./harness.ts").ServedProject;
  }
}
