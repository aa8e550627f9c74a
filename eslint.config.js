// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

// Module boundaries (enforced by test/lint/boundaries.test.ts). Paths are matched as written: a relative
// import that climbs out (`../`) and names a top-level folder. The router stands alone: it imports nothing
// of the Pulumi program, the scripts, the tests or Pulumi. The program reads only the router's config
// schema (the contract it renders). A face parses and renders a dialect; it does not reach into the proxy.
const routerAlone = [
  { regex: "^(\\.\\./)+(infra|scripts|test|tools)(/|$)", message: "router/ stands alone: it imports nothing of infra/, scripts/, test/ or tools/." },
  { regex: "^@pulumi/", message: "router/ does not use Pulumi." },
];
const facesApartFromProxy = { regex: "^(\\.\\./)+proxy(/|$)", message: "router/faces/ does not import router/proxy/: a face parses and renders its dialect only." };
const infraReadsRouterSchemaOnly = {
  regex: "^(\\.\\./)+router/(?!config/schema(\\.js)?$)",
  message: "infra/ imports of router/ only router/config/schema (the config contract it renders).",
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "bench-results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      // An Output inside a template literal renders as a warning string, never the value:
      // use pulumi.interpolate / pulumi.concat instead.
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    files: ["router/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: routerAlone }] },
  },
  {
    // Overrides the router/** entry for faces (rule options do not merge), so it repeats those patterns.
    files: ["router/faces/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [...routerAlone, facesApartFromProxy] }] },
  },
  {
    files: ["infra/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [infraReadsRouterSchemaOnly] }] },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      "@pulumi/no-output-in-template-literal": "off",
      "@pulumi/no-output-instance-in-template-literal": "off",
    },
  },
);
