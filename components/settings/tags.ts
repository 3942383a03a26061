/** Tags (AWS) and labels (Kubernetes) written on everything. */
import { DATA_CLASSIFICATIONS, DataClassification } from "../core/types";
import { checkStringMap, Validator } from "../core/validation";
import { defineTier } from "./tier";

/** Tags / labels written on everything taggable. */
export interface TagSettings {
    /** Team that owns the stack (tag `Owner`). @default "platform-team" */
    owner: string;
    /** Cost centre (tag `CostCenter`). @default "rag" */
    costCenter: string;
    /** Data classification (tag `DataClassification`). @default "internal" staging, "confidential" production */
    dataClassification: DataClassification;
    /** Extra tags on every AWS resource (AWS only). @default {} */
    extra: Record<string, string>;
}

// Tag values as AWS takes them: at most 256 characters of letters, digits, spaces and _.:/=+-@.
// https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
const TAG_VALUE = /^[\p{L}\p{N}_.:/=+\-@][\p{L}\p{Z}\p{N}_.:/=+\-@]{0,255}$/u;
/** A required tag value: non-empty, then as AWS takes it. */
const tagValue = (what: string) => (v: Validator, f: string, x: string) => {
    if (v.nonEmpty(f, x, `a non-empty ${what}`)) v.matches(f, x, TAG_VALUE, `a ${what}: 1 to 256 letters, digits, spaces and _ . : / = + - @`);
};

export const tagsTier = defineTier<TagSettings>({
    path: "tags",
    title: "Tags and labels",
    settings: {
        owner: {
            key: "owner",
            type: "string",
            description: "Owning team (Owner tag).",
            staging: "platform-team",
            check: tagValue("team or person name"),
        },
        costCenter: {
            key: "costCenter",
            type: "string",
            description: "Cost centre (CostCenter tag).",
            staging: "rag",
            check: tagValue("cost centre"),
        },
        dataClassification: {
            key: "dataClassification",
            type: "string",
            description: "public, internal, confidential or restricted.",
            staging: "internal",
            production: "confidential",
            check: (v, f, x) => v.oneOf(f, x, DATA_CLASSIFICATIONS),
        },
        extra: {
            key: "tagsExtra",
            type: "object",
            description: "Extra tags on every AWS resource, merged over the preset's.",
            staging: {},
            targets: ["aws"],
            unused: "Kubernetes objects carry the stack's own labels (app.kubernetes.io/*, ragstack.io/owner, cost-center, data-classification), which selectors also use; add others with your cluster's policy tooling",
            check: (v, f, x) =>
                checkStringMap(
                    v,
                    f,
                    x,
                    /^[A-Za-z0-9_.:/=+@-][A-Za-z0-9 _.:/=+@-]{0,127}$/,
                    "tag keys and string values (AWS tag syntax, keys up to 128 characters)",
                ),
        },
    },
});
