// Lint for correctness, not style (prettier owns layout): typescript-eslint's recommended rules,
// type-aware where it catches real bugs (floating promises, misused promises).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "cdktf.out/**", "cdktf.out.hcl/**", ".gen/**", "node_modules/**", ".local/**", ".e2e/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // Tests read synthesized JSON, whose shape is the provider's, not ours.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", require: "readonly", module: "writable", __dirname: "readonly" } },
    // CommonJS files that jest loads without a transform (its sequencer) can only require.
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
