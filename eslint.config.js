// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

// Module boundaries (each shown to fail in test/lint/boundaries.test.ts; docs/architecture.md, "Module
// rules"). Paths are matched as written: a relative import that climbs out (`../`) and names a folder or
// file. ESLint does not merge one rule's options across config entries, so every router entry lists all
// the patterns that hold for its files.
// The router stands alone: it imports nothing of the Pulumi program, the scripts, the tests or Pulumi.
const routerAlone = [
  { regex: "^(\\.\\./)+(infra|scripts|test|tools)(/|$)", message: "router/ stands alone: it imports nothing of infra/, scripts/, test/ or tools/." },
  { regex: "^@pulumi/", message: "router/ does not use Pulumi." },
];
// The top floor (main, server, request) and the ops endpoints are imported by nothing below them.
const belowTheTop = [
  { regex: "^(\\.\\./)+(main|server|request)(\\.js)?$", message: "Only the top floor (main.ts, server.ts, request.ts) imports the top floor." },
  { regex: "^(\\.\\./)+ops(/|$)", message: "Only the top floor imports router/ops/ (the endpoints)." },
];
/** A pattern forbidding imports of the named folders of router/ from a folder one level down. */
const notInto = (folders, message) => ({ regex: `^(\\.\\./)+(${folders.join("|")})(/|$)`, message });
const facesApartFromProxy = notInto(["proxy"], "router/faces/ does not import router/proxy/: a face parses and renders its dialect only.");
// Backend state depends on nothing that acts on it; health acts on backend state and knows no request.
const backendsBelow = notInto(
  ["faces", "http", "health", "proxy", "aliases", "routing", "auth", "translate", "telemetry"],
  "router/backends/ imports only the ground floor, config/ and engines/: backend state depends on nothing that acts on it.",
);
// Name → alias (aliases/) and the order of an alias's targets (routing/) read backend state and the
// table; they know nothing of a dialect, the HTTP layer or the call itself.
const choiceBelow = notInto(
  ["faces", "http", "proxy"],
  "router/aliases/ and router/routing/ import nothing of faces/, http/ or proxy/: they choose, the request path acts.",
);
const healthBelow = notInto(
  ["faces", "http", "proxy", "routing", "auth", "translate"],
  "router/health/ does not import the request path (faces/, http/, proxy/, routing/, auth/, translate/).",
);
// The ground floor: the error catalogue, ids and cancellation (router/errors.ts, ids.ts, cancel.ts) import
// only each other; telemetry (logging, metrics, the access log) imports only those and the two contract
// modules, the config schema and the engine types.
const groundOnly = { regex: "^\\.\\.?/(?!(errors|ids|cancel)\\.js$)", message: "The ground floor (errors.ts, ids.ts, cancel.ts) imports only itself." };
const telemetryOnly = {
  regex: "^\\.\\./(?!(errors|ids|cancel)\\.js$|config/schema\\.js$|engines/types\\.js$)",
  message: "router/telemetry/ imports only the ground floor (errors.ts, ids.ts, cancel.ts), the config schema and the engine types.",
};
const infraReadsRouterSchemaOnly = {
  regex: "^(\\.\\./)+router/(?!config/schema(\\.js)?$)",
  message: "infra/ imports of router/ only router/config/schema (the config contract it renders).",
};
const restrict = (patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

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
    rules: {
      ...restrict(routerAlone),
      // No module over 250 lines: past that a file holds more than one idea.
      "max-lines": ["error", { max: 250, skipBlankLines: false, skipComments: false }],
    },
  },
  { files: ["router/*/**/*.ts"], rules: restrict([...routerAlone, ...belowTheTop]) },
  { files: ["router/faces/**/*.ts"], rules: restrict([...routerAlone, ...belowTheTop, facesApartFromProxy]) },
  { files: ["router/backends/**/*.ts"], rules: restrict([...routerAlone, ...belowTheTop, backendsBelow]) },
  { files: ["router/aliases/**/*.ts", "router/routing/**/*.ts"], rules: restrict([...routerAlone, ...belowTheTop, choiceBelow]) },
  { files: ["router/health/**/*.ts"], rules: restrict([...routerAlone, ...belowTheTop, healthBelow]) },
  { files: ["router/telemetry/**/*.ts"], rules: restrict([...routerAlone, telemetryOnly]) },
  { files: ["router/errors.ts", "router/ids.ts", "router/cancel.ts"], rules: restrict([...routerAlone, groundOnly]) },
  {
    files: ["infra/**/*.ts"],
    rules: restrict([infraReadsRouterSchemaOnly]),
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
