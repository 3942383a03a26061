/**
 * The API's autoscaling settings reach both targets from one key each: `apiScaleInCooldownSeconds`
 * (issue 26's cooldowns) is the ECS target-tracking policies' scale-in cooldown on AWS and the
 * HorizontalPodAutoscaler's scale-down stabilisation window on Kubernetes;
 * `apiScaleOutCooldownSeconds` the scale-out cooldown and the scale-up window (seed 004 asks 300/300).
 */
import * as assert from "assert";
import { runProgram } from "../testing/program";
import { resolveConfigValues } from "./harness/config";

describe("API autoscaling: one key per setting, honoured by both targets", function () {
    this.timeout(300000);

    it("apiScaleInCooldownSeconds: the default (300 s) on both targets, and a set value on both", async () => {
        for (const [value, expected] of [
            [undefined, 300],
            ["600", 600],
        ] as const) {
            const extra: Record<string, string> = value ? { apiScaleInCooldownSeconds: value } : {};
            const aws = await runProgram("staging", { target: "aws", ...extra });
            const policies = aws.resources.ofType("aws:appautoscaling/policy:Policy");
            assert.strictEqual(policies.length, 3);
            for (const p of policies) assert.strictEqual((p.inputs as any).targetTrackingScalingPolicyConfiguration.scaleInCooldown, expected, p.name);
            const k8s = await runProgram("staging", { target: "kubernetes", ...extra });
            const [hpa] = k8s.resources.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
            assert.strictEqual((hpa.inputs as any).spec.behavior.scaleDown.stabilizationWindowSeconds, expected);
        }
    });

    it("apiScaleOutCooldownSeconds: the default (60 s) on both targets, and seed 004's 300 on both", async () => {
        for (const [value, expected] of [
            [undefined, 60],
            ["300", 300],
        ] as const) {
            const extra: Record<string, string> = value ? { apiScaleOutCooldownSeconds: value } : {};
            const aws = await runProgram("staging", { target: "aws", ...extra });
            const policies = aws.resources.ofType("aws:appautoscaling/policy:Policy");
            assert.strictEqual(policies.length, 3);
            for (const p of policies) assert.strictEqual((p.inputs as any).targetTrackingScalingPolicyConfiguration.scaleOutCooldown, expected, p.name);
            const k8s = await runProgram("staging", { target: "kubernetes", ...extra });
            const [hpa] = k8s.resources.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
            assert.strictEqual((hpa.inputs as any).spec.behavior.scaleUp.stabilizationWindowSeconds, expected);
        }
    });

    it("apiScaleInCooldownSeconds outside 0..3600 is refused naming the key", () => {
        const base = { target: "kubernetes", environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example-gov/rag-api:1.4.2" };
        assert.throws(
            () => resolveConfigValues({ ...base, apiScaleInCooldownSeconds: "7200" }),
            /rag-platform:apiScaleInCooldownSeconds \(api\.scaleInCooldownSeconds\): got 7200; allowed: an integer from 0 to 3600/,
        );
        assert.throws(
            () => resolveConfigValues({ ...base, apiScaleOutCooldownSeconds: "-1" }),
            /rag-platform:apiScaleOutCooldownSeconds \(api\.scaleOutCooldownSeconds\): got -1; allowed: an integer from 0 to 3600/,
        );
    });
});
