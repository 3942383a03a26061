/** Disaster-recovery objectives the plan checks the stack against. */
import { defineTier, StackIdentity } from "./tier";

/**
 * Disaster-recovery objectives the environment commits to. The offline plan prints them next to
 * what the deployed resources provide per failure scenario, and fails when one is missed.
 */
export interface RecoveryObjectives {
    /** Most data, minutes, a failure inside the site may lose (an instance, a node, a zone, a bad change). @default staging 1440, production 5 */
    rpoMinutes: number;
    /** Longest time, minutes, until the service is back after such a failure. @default staging 1440, production 60 */
    rtoMinutes: number;
    /** Most data, minutes, the loss of the whole region or site may lose; 0: no objective. @default staging 0, production 1440 */
    siteLossRpoMinutes: number;
    /** Longest time, minutes, until the service is back elsewhere after losing the region or site; 0: no objective. @default staging 0, production 480 */
    siteLossRtoMinutes: number;
}

// Production: inside the site no more than 5 minutes of data, back within the hour; after losing
// the region or site no more than a day of data, back within a working day.
export const recoveryTier = defineTier<RecoveryObjectives, StackIdentity & { recovery: RecoveryObjectives }>({
    path: "recovery",
    title: "Recovery objectives",
    settings: {
        rpoMinutes: {
            key: "drRpoMinutes",
            type: "integer",
            description: "Recovery point objective inside the site, minutes.",
            staging: 1440,
            production: 5,
            check: (v, f, x) => v.int(f, x, 0, 525600),
        },
        rtoMinutes: {
            key: "drRtoMinutes",
            type: "integer",
            description: "Recovery time objective inside the site, minutes.",
            staging: 1440,
            production: 60,
            check: (v, f, x) => v.int(f, x, 1, 525600),
        },
        siteLossRpoMinutes: {
            key: "drSiteLossRpoMinutes",
            type: "integer",
            description: "Recovery point objective after losing the region or site, minutes (0: none).",
            staging: 0,
            production: 1440,
            check: (v, f, x) => v.int(f, x, 0, 525600),
        },
        siteLossRtoMinutes: {
            key: "drSiteLossRtoMinutes",
            type: "integer",
            description: "Recovery time objective after losing the region or site, minutes (0: none).",
            staging: 0,
            production: 480,
            check: (v, f, x) => v.int(f, x, 0, 525600),
        },
    },
    validate: (v, s) => {
        if (s.recovery.siteLossRpoMinutes > 0 !== s.recovery.siteLossRtoMinutes > 0)
            v.fail("recovery.siteLossRtoMinutes", s.recovery.siteLossRtoMinutes, "both site-loss objectives set (> 0) or both 0 (no objective)");
    },
});
