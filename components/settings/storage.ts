/** Object storage for documents and backups: lifecycle and Object Lock. */
import { defineTier, StackIdentity } from "./tier";

/** S3 Object Lock of the backups bucket. */
export type ObjectLock = { mode: "GOVERNANCE" | "COMPLIANCE"; days: number } | "none";

/** Object storage for documents and backups. */
export interface StorageSettings {
    /** Days before current objects move to infrequent access (AWS). @default 90 */
    transitionToIaDays: number;
    /** Days before current objects move to Glacier / cold storage (AWS). @default 365 */
    transitionToGlacierDays: number;
    /** Days noncurrent object versions are kept. @default 30 staging, 365 production */
    noncurrentVersionExpirationDays: number;
    /**
     * S3 Object Lock on the backups bucket (`days`) and the CloudTrail bucket (at least 365 days),
     * AWS. `"none"` is the named opt-out. @default GOVERNANCE 30 days in production, "none" in staging
     */
    objectLock: ObjectLock;
}

/** `storageObjectLock`: `none`, or `MODE:DAYS` (GOVERNANCE:30, COMPLIANCE:365). */
export function parseObjectLock(text: string): ObjectLock | undefined {
    if (text.trim() === "none") return "none";
    const m = /^(GOVERNANCE|COMPLIANCE):(\d+)$/.exec(text.trim());
    return m ? { mode: m[1] as "GOVERNANCE" | "COMPLIANCE", days: Number(m[2]) } : undefined;
}

const S3_LIFECYCLE = "the in-cluster or external S3-compatible store's lifecycle is its own; configure it there";

export const storageTier = defineTier<StorageSettings, StackIdentity & { storage: StorageSettings }>({
    path: "storage",
    title: "Object storage",
    settings: {
        transitionToIaDays: {
            key: "storageTransitionToIaDays",
            type: "integer",
            description: "Days before objects move to Infrequent Access (AWS).",
            staging: 90,
            targets: ["aws"],
            unused: S3_LIFECYCLE,
            check: (v, f, x) => v.int(f, x, 30, 3650),
        },
        transitionToGlacierDays: {
            key: "storageTransitionToGlacierDays",
            type: "integer",
            description: "Days before objects move to Glacier (AWS).",
            staging: 365,
            targets: ["aws"],
            unused: S3_LIFECYCLE,
            check: (v, f, x, s) => {
                if (v.int(f, x, 31, 3650) && x <= s.storage.transitionToIaDays)
                    v.fail(f, x, `greater than storage.transitionToIaDays (${s.storage.transitionToIaDays})`);
            },
        },
        noncurrentVersionExpirationDays: {
            key: "storageNoncurrentVersionExpirationDays",
            type: "integer",
            description: "Days old object versions are kept (AWS).",
            development: 7,
            staging: 30,
            production: 365,
            targets: ["aws"],
            unused: S3_LIFECYCLE,
            check: (v, f, x) => v.int(f, x, 1, 3650),
        },
        objectLock: {
            key: "storageObjectLock",
            type: "string",
            description: "S3 Object Lock of the backups (AWS): none, or MODE:DAYS such as GOVERNANCE:30 or COMPLIANCE:365.",
            staging: "none",
            production: { mode: "GOVERNANCE", days: 30 },
            targets: ["aws"],
            unused: "Object Lock is an S3 feature the stack sets on AWS; lock the backups bucket in the object store itself",
            parse: parseObjectLock,
            check: (v, f, x) => {
                if (x === "none") return;
                if (x === null || typeof x !== "object") return v.fail(f, x, '"none" or { mode: "GOVERNANCE" | "COMPLIANCE", days }');
                v.oneOf(`${f}.mode`, x.mode, ["GOVERNANCE", "COMPLIANCE"] as const);
                v.int(`${f}.days`, x.days, 1, 36500);
            },
        },
    },
});
