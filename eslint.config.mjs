import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "dist/**", "consumer/dist/**", "consumer/node_modules/**", "policies/node_modules/**", "plan-out/**", "docs/api/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            "no-new": "off",
        },
    },
    {
        // The CommonJS entry points the Pulumi CLI loads (plain JavaScript, run before anything is compiled).
        files: ["tools/entry/*.js", "bootstrap/*.js", "policies/pack.js"],
        languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly" } },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // The example front end's script runs in the browser (served by CloudFront or the static server).
        files: ["examples/frontend/**/*.js"],
        languageOptions: { sourceType: "script", globals: { document: "readonly", FormData: "readonly", fetch: "readonly", JSON: "readonly" } },
    },
    {
        // Tests, the testing kit, the engine check (untyped engine JSON), policy rules and the consumer check read untyped provider inputs (any resource's props).
        files: ["test/**/*.ts", "testing/**/*.ts", "tools/engine/**/*.ts", "policies/lib/**/*.ts", "consumer/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
