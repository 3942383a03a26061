/**
 * The recovery of a local file backend after a killed CLI (docs/cluster.md, "Faults and
 * recovery"): what `repairKilledWrite` removes, and what it must never touch.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repairKilledWrite } from "../tools/engine/workspace";

describe("file backend: repair after a CLI killed mid-write", () => {
    it("removes an empty attributes sidecar and a never-renamed write, keeps the checkpoint, its backup and written sidecars", () => {
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "ragstack-backend-"));
        const stacks = path.join(backend, ".pulumi", "stacks", "rag-platform");
        fs.mkdirSync(stacks, { recursive: true });
        const files: Record<string, string> = {
            "production.json": '{"version":3}',
            "production.json.attrs": "",
            "production.json.18ecca03c23ec992.tmp": '{"version":3,"partial":',
            "production.json.bak": '{"version":3}',
            "production.json.bak.attrs": '{"user.cache_control":""}',
            "staging.json": '{"version":3}',
            "staging.json.attrs": '{"user.cache_control":""}',
        };
        for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(stacks, f), text);
        try {
            assert.deepStrictEqual(repairKilledWrite(backend), [
                ".pulumi/stacks/rag-platform/production.json.18ecca03c23ec992.tmp",
                ".pulumi/stacks/rag-platform/production.json.attrs",
            ]);
            assert.deepStrictEqual(fs.readdirSync(stacks).sort(), [
                "production.json",
                "production.json.bak",
                "production.json.bak.attrs",
                "staging.json",
                "staging.json.attrs",
            ]);
            assert.deepStrictEqual(repairKilledWrite(backend), [], "nothing left to repair");
        } finally {
            fs.rmSync(backend, { recursive: true, force: true });
        }
    });

    it("a backend folder without .pulumi is left alone", () => {
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "ragstack-backend-"));
        fs.writeFileSync(path.join(backend, "x.tmp"), "");
        try {
            assert.deepStrictEqual(repairKilledWrite(backend), []);
            assert.ok(fs.existsSync(path.join(backend, "x.tmp")));
        } finally {
            fs.rmSync(backend, { recursive: true, force: true });
        }
    });
});
