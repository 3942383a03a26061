export * from "./presets";
export * from "./resolve";
export * from "./config";
