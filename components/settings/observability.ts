/** Logs, alarms and audit. */
import { LOG_RETENTION_DAYS } from "../core/aws-catalog";
import { Validator } from "../core/validation";
import { defineTier, StackIdentity } from "./tier";

/** Logs, alarms and audit. */
export interface ObservabilitySettings {
    /** Days application, flow and audit logs are kept. @default 90 staging, 365 production */
    logRetentionDays: number;
    /** E-mail addresses subscribed to the alarm topic. @default [] */
    alarmEmails: string[];
}

export const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Checks a CloudWatch Logs retention against the values the API accepts. */
export function checkLogRetention(v: Validator, field: string, days: unknown): void {
    if (typeof days !== "number" || !(LOG_RETENTION_DAYS as readonly number[]).includes(days))
        v.fail(field, days, `a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(", ")}`);
}

export const observabilityTier = defineTier<ObservabilitySettings, StackIdentity & { observability: ObservabilitySettings }>({
    path: "observability",
    title: "Observability",
    settings: {
        logRetentionDays: {
            key: "logRetentionDays",
            type: "integer",
            description: "Log retention, days (AWS: CloudWatch Logs).",
            development: 30,
            staging: 90,
            production: 365,
            targets: ["aws"],
            unused: "the cluster's log pipeline keeps container logs; set its retention there",
            check: checkLogRetention,
        },
        alarmEmails: {
            key: "alarmEmails",
            type: "array",
            description: "E-mails subscribed to alarms.",
            staging: [],
            check: (v, f, x) => {
                (x ?? []).forEach((e, i) => v.matches(`${f}[${i}]`, e, EMAIL_RE, "an e-mail address"));
                v.unique(f, x);
            },
        },
    },
});
