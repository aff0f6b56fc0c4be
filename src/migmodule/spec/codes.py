"""Issue codes of the spec area: loading, schema, expressions, lint, registry, versions."""

from migmodule.codes import define

# Loading and registry
FILE_UNREADABLE = define(
    "SPEC-FILE-001",
    "error",
    "Spec file cannot be read",
    "cannot read {path}: {reason}. Check the path and that the file is UTF-8 text.",
    "spec",
)
YAML_SYNTAX = define(
    "SPEC-YAML-001",
    "error",
    "YAML syntax error",
    "YAML syntax error: {reason}. Fix the indentation or quoting at that line.",
    "spec",
)
YAML_LIMIT = define(
    "SPEC-YAML-002",
    "error",
    "YAML file beyond the limits",
    "{path}: {reason}. Module specs and profiles are plain YAML: write the repeated part out, "
    "or split the file (limits: docs/reliability.md).",
    "spec",
)
SCHEMA = define(
    "SPEC-SCHEMA-001",
    "error",
    "Spec does not follow the module schema",
    "at '{path}': {reason}. Run migmodule schema to see the format.",
    "spec",
)
FILE_NAME = define(
    "SPEC-FILE-002",
    "error",
    "File name does not match id and version",
    "the file is named {actual} but holds {module}; name it modules/{expected}.",
    "spec",
)
UNKNOWN_MODULE = define(
    "REG-MODULE-001",
    "error",
    "Unknown module",
    "no module named '{name}'. Available: {available}.",
    "spec",
)
UNKNOWN_VERSION = define(
    "REG-VERSION-001",
    "error",
    "Unknown module version",
    "module '{name}' has no version {version}. Available: {available}.",
    "spec",
)
NO_RELEASED = define(
    "REG-VERSION-002",
    "error",
    "No released version",
    "module '{name}' has no released version; name a draft explicitly ({available}).",
    "spec",
)
BAD_REFERENCE = define(
    "REG-REF-001",
    "error",
    "Malformed module reference",
    "'{ref}' is not a module reference; write MODULE or MODULE@MAJOR.MINOR.PATCH, e.g. census-key-questions@1.0.0.",
    "spec",
)
RELEASED_CHANGED = define(
    "REG-RELEASE-001",
    "error",
    "Released file changed",
    "{file} is released and its checksum no longer matches the recorded one. Released versions are immutable: restore the file and put the change in a new version.",
    "spec",
)
RELEASED_UNRECORDED = define(
    "REG-RELEASE-002",
    "error",
    "Released file has no recorded checksum",
    "{file} has status released but no recorded checksum in released.json. Record it with python -m migmodule.spec.versions --record {file}.",
    "spec",
)

# Expressions
EXPR_SYNTAX = define(
    "EXPR-SYNTAX-001",
    "error",
    "Expression syntax error",
    "in {field} \"{expression}\" at column {column}: {reason}.",
    "spec",
)
EXPR_TYPOGRAPHIC_QUOTE = define(
    "EXPR-SYNTAX-002",
    "error",
    "Typographic quote in expression",
    "in {field} \"{expression}\" at column {column}: typographic quote {char}; use a straight quote ' instead.",
    "spec",
)
EXPR_UNKNOWN_NAME = define(
    "EXPR-NAME-001",
    "error",
    "Unknown name in expression",
    "in {field} \"{expression}\" at column {column}: unknown name '{name}'.{suggestion}",
    "spec",
)
EXPR_UNKNOWN_FUNCTION = define(
    "EXPR-NAME-002",
    "error",
    "Unknown function in expression",
    "in {field} \"{expression}\" at column {column}: unknown function '{name}'. Known functions: {known}.",
    "spec",
)
EXPR_ARGUMENTS = define(
    "EXPR-ARG-001",
    "error",
    "Wrong arguments to a function",
    "in {field} \"{expression}\" at column {column}: {reason}.",
    "spec",
)
EXPR_LEVEL = define(
    "EXPR-LEVEL-001",
    "error",
    "Expression refers to a lower level",
    "in {field} \"{expression}\" at column {column}: '{name}' is asked at level {other_level}, which is below {level}; a {level} rule can only use its own level or the levels above it.",
    "spec",
)
EXPR_CODE = define(
    "EXPR-CODE-001",
    "error",
    "Code not in the question's code list",
    "in {field} \"{expression}\" at column {column}: {code} is not a code of list '{code_list}' used by '{name}'. Codes: {codes}.",
    "spec",
)
EXPR_CYCLE = define(
    "EXPR-CYCLE-001",
    "error",
    "Conditions refer to each other in a cycle",
    "condition cycle {cycle}; a condition cannot use itself.",
    "spec",
)
EXPR_TOO_LARGE = define(
    "EXPR-SIZE-001",
    "error",
    "Expression too large once its conditions are inlined",
    "'{expression}' with its named conditions written out has {size} nodes and {depth} levels "
    "(limits: {max_size} nodes, {max_depth} levels); a condition that names another twice "
    "doubles it. Name each part once, or write the test with 'in (...)'.",
    "spec",
)
EXPR_SELF = define(
    "EXPR-SELF-001",
    "error",
    "'.' outside a constraint",
    "in {field} \"{expression}\" at column {column}: '.' (this answer) can only be used in a question's constraint.",
    "spec",
)
EXPR_PARAMETER_VALUE = define(
    "EXPR-PARAM-001",
    "error",
    "Parameter has no value",
    "parameter {name} has no value; set it in the profile (parameters: {name}: ...) or on the command line.",
    "spec",
)

# Lint
DUPLICATE_ID = define(
    "LINT-ID-001",
    "error",
    "Duplicate id",
    "{kind} id '{id}' is used more than once (also at line {other_line}); ids must be unique in a module.",
    "spec",
)
UNKNOWN_REFERENCE = define(
    "LINT-REF-001",
    "error",
    "Reference to something that does not exist",
    "{kind} '{name}' does not exist.{suggestion}",
    "spec",
)
UNUSED_CODE_LIST = define(
    "LINT-CODELIST-001",
    "warning",
    "Unused code list",
    "code list '{id}' is not used by any question or derived variable; remove it or use it.",
    "spec",
)
DUPLICATE_CODE = define(
    "LINT-CODELIST-002",
    "error",
    "Duplicate code in a code list",
    "code {code} appears more than once in code list '{id}'; each code must have one meaning.",
    "spec",
)
SPECIAL_CODE_CLASH = define(
    "LINT-CODELIST-003",
    "error",
    "Special code clashes with a country code",
    "special code {code} in '{id}' is also the M49 code of {country}; use a code in 900-999.",
    "spec",
)
MISSING_TRANSLATION = define(
    "LINT-LANG-001",
    "error",
    "Missing translation",
    "{what} has no text in {language}; the module declares {language} complete. Add the '{language}' key.",
    "spec",
)
EXTRA_LANGUAGE = define(
    "LINT-LANG-002",
    "info",
    "Text in an undeclared language",
    "{what} has text in {language}, which the module does not list in 'languages'.",
    "spec",
)
VARIABLE_NAME_INVALID = define(
    "LINT-VAR-001",
    "error",
    "Variable name invalid for a target",
    "variable name '{name}' is invalid for {target}: {reason}. Rename it (variable: ...) to lower-case letters, digits and _, starting with a letter, at most 32 characters.",
    "spec",
)
VARIABLE_NAME_DUPLICATE = define(
    "LINT-VAR-002",
    "error",
    "Duplicate variable name",
    "variable name '{name}' is used by {first} and {second}; variable names must be unique (case-insensitive, as in CSPro and SPSS).",
    "spec",
)
VARIABLE_LABEL_LONG = define(
    "LINT-LABEL-001",
    "warning",
    "Variable label too long for Stata",
    "variable label of '{name}' in {language} is {length} characters; Stata allows 80. Shorten variable_label.",
    "spec",
)
VALUE_LABEL_LONG = define(
    "LINT-LABEL-002",
    "warning",
    "Value label too long for SPSS",
    "label of code {code} in '{id}' ({language}) is {length} bytes; SPSS keeps 120. Shorten it.",
    "spec",
)
UNREACHABLE = define(
    "LINT-ROUTE-001",
    "error",
    "Question can never be asked",
    "the universe of '{id}' is false for every respondent: {reason}. Check the expression.",
    "spec",
)
LEVEL_UNKNOWN = define(
    "LINT-LEVEL-001",
    "error",
    "Unknown level",
    "{kind} '{id}' names level '{level}', which is not among the module's levels ({levels}).",
    "spec",
)
CITATION_UNKNOWN = define(
    "LINT-SOURCE-001",
    "error",
    "Citation of an unknown source",
    "{kind} '{id}' cites source '{source}', which is not in the module's sources ({sources}).",
    "spec",
)
VERSION_BUMP = define(
    "LINT-VERSION-001",
    "error",
    "Version number does not match the changes",
    "{module} follows {previous} but the changes since then are {needed} ({reasons}); the version should be at least {expected}.",
    "spec",
)
DRAFT_IN_BANK = define(
    "LINT-VERSION-002",
    "info",
    "Draft version",
    "{module} is a draft; it can still change. Release it with status: released and a new version.",
    "spec",
)

# Shared modules (`uses`)
USES_PIN = define(
    "SPEC-USES-001",
    "error",
    "Shared module not pinned to an exact version",
    "uses '{ref}': name the shared module with its exact version, MODULE@MAJOR.MINOR.PATCH (e.g. {example}), so the questions a module asks never change under it.",
    "spec",
)
USES_NOT_FOUND = define(
    "SPEC-USES-002",
    "error",
    "Shared module not found",
    "uses '{ref}': no such module version in {banks}. Available: {available}.",
    "spec",
)
USES_NOT_SHARED = define(
    "SPEC-USES-003",
    "error",
    "Used module is not a shared module",
    "uses '{ref}': that module has kind '{kind}'; only a module with kind: shared can be used. Copy the questions, or move them to a shared module.",
    "spec",
)
USES_UNKNOWN_QUESTION = define(
    "SPEC-USES-004",
    "error",
    "Question not in the shared module",
    "uses '{ref}': '{name}' is not a question of that module.{suggestion}",
    "spec",
)
USES_REDEFINED = define(
    "SPEC-USES-005",
    "error",
    "Shared element redefined",
    "{kind} '{id}' is defined here and also taken from {ref} (uses); shared elements are read-only. Remove it here, or leave it out of the questions it uses and give it another id.",
    "spec",
)
USES_TWICE = define(
    "SPEC-USES-006",
    "error",
    "Shared module used twice",
    "uses names {name} twice ({refs}); list it once, with every question you need.",
    "spec",
)
USES_SHARED_FROM = define(
    "SPEC-USES-007",
    "error",
    "shared_from written in a spec file",
    "at '{path}': shared_from is set by the loader on elements taken from a shared module; remove it from the file and use uses instead.",
    "spec",
)
SHARED_VERSIONS = define(
    "SPEC-USES-008",
    "error",
    "Modules combined use different versions of a shared module",
    "{first} uses {first_ref} and {second} uses {second_ref}, which differ on {element}; modules exported or validated together must take each shared question from one definition, or it would be asked twice with different definitions. Use versions of the modules that pin the same {shared} version (or minor versions of one major version that define their common questions alike).",
    "spec",
)
USES_DRAFT = define(
    "SPEC-USES-009",
    "error",
    "Released module uses a draft shared module",
    "{module} is released but uses {ref}, a draft: its questions could still change under a released module. Release {ref} first.",
    "spec",
)
SHARED_TEXTS = define(
    "SPEC-USES-010",
    "info",
    "Shared questions worded as in the newest version",
    "{modules} use versions {refs} of {shared}, whose common elements have the same codes and rules but other texts: {elements}. The run uses the texts of the newest version that carries each of them ({newest}).",
    "spec",
)
DERIVED_CYCLE = define(
    "LINT-DERIVED-001",
    "error",
    "Derived variables refer to each other in a cycle",
    "derived variable cycle {cycle}; a derived variable cannot be computed from itself. Compute "
    "one of them from questions only.",
    "spec",
)
RANGE_CONDITION = define(
    "LINT-RANGE-001",
    "error",
    "Range bound written as a condition",
    "range {bound} of {question} is \"{expression}\", a condition (true or false), not a number. "
    "Write the number or a value expression, e.g. year(REF_DATE) - 110; a rule goes in "
    "a constraint or an edit.",
    "spec",
)
NUMBER_TOO_LARGE = define(
    "LINT-NUMBER-001",
    "error",
    "Number too large",
    "{what} is {value}, beyond {limit}: no target (Stata, SPSS, CSPro, XLSForm) holds it exactly. "
    "Use a smaller number.",
    "spec",
)
