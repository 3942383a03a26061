/**
 * What the plan, the cluster check and the policy pack compute from a stack without deploying it:
 * its monthly cost (`cost`, priced by `prices`), whether it fits its cluster (`capacity`) and what
 * it recovers from (`recovery`). Above the components: no component imports it.
 */
export * from "./capacity";
export * from "./cost";
export * from "./prices";
export * from "./recovery";
