export * from "./types";
export * from "./validation";
export * from "./naming";
export * from "./tags";
export * from "./sizing";
export * from "./merge";
export * from "./aws-catalog";
export * from "./facts";
