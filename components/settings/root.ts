/** Settings at the root of the stack: data protection. */
import { defineTier, StackIdentity } from "./tier";

/** Settings at the root of StackSettings besides the identity. */
export interface RootSettings {
    /**
     * Protect stateful resources (database, buckets, keys) with `protect` and `retainOnDelete`.
     * @default false staging, true production
     */
    protectData: boolean;
}

export const rootTier = defineTier<RootSettings, StackIdentity & RootSettings>({
    path: "",
    title: "Data protection",
    settings: {
        protectData: {
            key: "protectData",
            type: "boolean",
            description: "protect + retainOnDelete on stateful resources.",
            staging: false,
            production: true,
            check: (v, f, x) => v.bool(f, x),
        },
    },
});
