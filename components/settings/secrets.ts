/** Rotation of the secrets the stack generates. */
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/**
 * Rotation of the secrets the stack generates (AWS: the API's application secret and the Valkey
 * AUTH token; Kubernetes: every generated database, cache and object-store credential). The RDS
 * master password is rotated by RDS itself; credentials from an external store
 * (`kubernetes.secrets: external`) are the store's to rotate.
 */
export interface SecretSettings {
    /**
     * Date (YYYY-MM-DD) the generated secrets were last rotated. A new value generates new ones on
     * the next `pulumi up` and restarts their consumers (tools/rotate-secrets.sh sets it to today).
     * @default "" (as generated at the first deployment)
     */
    rotatedOn: string;
    /** Days after which a secret that has not changed raises an alarm (AWS) / alert (Kubernetes). @default staging 180, production 90 */
    maxAgeDays: number;
}

/** A rotation date: "" (never rotated) or a real calendar date YYYY-MM-DD. */
export function checkRotatedOn(v: Validator, field: string, value: unknown): void {
    if (value === "") return;
    if (!v.matches(field, value, /^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD (e.g. the day of the rotation) or "" for never')) return;
    const d = new Date(`${value as string}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) v.fail(field, value, "a calendar date YYYY-MM-DD that exists");
}

export const secretsTier = defineTier<SecretSettings, StackIdentity & { secrets: SecretSettings }>({
    path: "secrets",
    title: "Generated secrets",
    settings: {
        rotatedOn: {
            key: "secretsRotatedOn",
            type: "string",
            description: "Date (YYYY-MM-DD) of the last rotation of generated secrets; a new date rotates them.",
            staging: "",
            check: checkRotatedOn,
        },
        maxAgeDays: {
            key: "secretMaxAgeDays",
            type: "integer",
            description: "Age in days at which a generated secret alarms.",
            staging: 180,
            production: 90,
            check: (v, f, x) => v.int(f, x, 7, 400),
        },
    },
});
