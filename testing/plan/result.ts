/** What one plan produces: its own module, so that the reports read it without importing the plan. */
import { StackSettings } from "../../components/settings";
import { EvaluationResult } from "../../policies/lib/evaluate";
import { RecordedResource } from "../mocks";
import { PlanDocument } from "./document";

export interface PlanResult {
    document: PlanDocument;
    /** Resolved settings (this repository's own program only). */
    settings?: StackSettings;
    records: RecordedResource[];
    evaluation: EvaluationResult;
    /** Program folder and project. */
    root: string;
    project: string;
}
