import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "dist/**", "policies/node_modules/**", "plan-out/**", "docs/api/**"] },
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
        // Tests and policy rules read untyped provider inputs (any resource's props).
        files: ["test/**/*.ts", "policies/lib/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
