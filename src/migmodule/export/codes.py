"""Issue codes of the XLSForm, Stata/SPSS label and apply-labels exports.

Templates say what is wrong, where, and how to fix it. Locations carry the module, question and
variable, so the message itself does not need to repeat them.
"""

from migmodule.codes import define

# XLSForm ---------------------------------------------------------------------------------------
XLSF_CONVERT = define(
    "XLSF-CONVERT-001",
    "error",
    "pyxform rejects the generated form",
    "pyxform could not convert the form for {modules}: {reason}. If a national variable name is "
    "involved, rename it under 'variables' in the profile; otherwise report this as a migmodule bug.",
    "export",
)
XLSF_VALIDATE = define(
    "XLSF-CONVERT-002",
    "error",
    "ODK Validate rejects the generated form",
    "ODK Validate rejected the form for {modules}: {reason}. Report this as a migmodule bug, with the profile used.",
    "export",
)
XLSF_PYXFORM_WARNING = define(
    "XLSF-PYXFORM-001", "warning", "pyxform warning", "pyxform: {warning}", "export"
)
XLSF_NAME = define(
    "XLSF-NAME-001",
    "error",
    "Variable name is not a valid XLSForm name",
    "'{name}' cannot be an XLSForm field name: names must begin with a letter or underscore and contain "
    "only letters, digits, underscores, hyphens or periods. Give a valid national name under 'variables' "
    "in the profile.",
    "export",
)
XLSF_NAME_CLASH = define(
    "XLSF-NAME-002",
    "warning",
    "Two modules use the same field name",
    "'{name}' of {module} is already used by {other}; it is named '{renamed}' in this form. To choose "
    "the name yourself, set it under 'variables' for {module} in the profile.",
    "export",
)
XLSF_UNIVERSE_REF = define(
    "XLSF-REF-001",
    "error",
    "Universe reads a question that is not in the form",
    "the universe of '{question}' reads '{missing}', which the profile leaves out. Include '{missing}' "
    "(remove it from 'exclude' or add it to 'include') or leave out '{question}' as well.",
    "export",
)
XLSF_SKIPPED_RULE = define(
    "XLSF-REF-002",
    "warning",
    "Rule left out of the form",
    "{kind} '{item}' reads '{missing}', which is not in the form; the {kind} is left out of the XLSForm "
    "(validation of the data still applies it if the variable is delivered).",
    "export",
)
XLSF_EDIT_UNPLACED = define(
    "XLSF-EDIT-001",
    "info",
    "Edit not placed in the form",
    "edit {edit} reads no question at level {level}, so it has no question to attach to; it is checked "
    "only by migmodule validate.",
    "export",
)
XLSF_EMPTY_LIST = define(
    "XLSF-LIST-001",
    "error",
    "Code list has no codes",
    "code list '{code_list}' takes its codes from parameter {parameter}, which is not set. Set "
    "{parameter} under 'parameters' in the profile (a list of {{code: ..., label: {{en: ...}}}}).",
    "export",
)
XLSF_MEDIA = define(
    "XLSF-MEDIA-001",
    "info",
    "Form attachments to upload",
    "the form reads {files} with pulldata(); upload these files with the form (KoboToolbox: "
    "Media; ODK Central: form attachments), or every look-up in them is blank.",
    "export",
)
XLSF_TABLE_CLASH = define(
    "XLSF-TABLE-001",
    "error",
    "Two tables for one form attachment",
    "the modules give table {parameter} different rows, but the form reads it from one file, "
    "{file}. Give {parameter} the same rows for every module, or export the modules as "
    "separate forms.",
    "export",
)
XLSF_LEVEL_CONFLICT = define(
    "XLSF-LEVEL-001",
    "error",
    "Modules define the same level differently",
    "level '{level}' is a repeat in {first} but not in {second}; modules exported together must agree "
    "on their levels. Export them as separate forms.",
    "export",
)

# Stata and SPSS labels ---------------------------------------------------------------------------
LABEL_TRUNCATED = define(
    "LABEL-LENGTH-001",
    "warning",
    "Label truncated to the format's limit",
    'the {what} is {length} {unit} long; {target} allows {limit}, so it was cut to "{truncated}". '
    "Shorten the text in the spec (variable_label) or accept the cut.",
    "export",
)
LABEL_NAME = define(
    "LABEL-NAME-001",
    "error",
    "Variable name not valid in the target format",
    "'{name}' is not a valid {target} variable name ({reason}). Give a valid national name under "
    "'variables' in the profile.",
    "export",
)
LABEL_SET_NAME = define(
    "LABEL-NAME-002",
    "info",
    "Value-label set renamed",
    "value-label set '{name}' is longer than {limit} characters; it is named '{renamed}'.",
    "export",
)
SPSS_MISSING_RANGE = define(
    "SPSS-MISSING-001",
    "info",
    "Missing codes declared as a range",
    "{count} missing-value codes ({codes}); SPSS allows at most 3 discrete values, so they are declared "
    "as {declared}.",
    "export",
)
SPSS_MISSING_DROPPED = define(
    "SPSS-MISSING-002",
    "warning",
    "Missing codes not all declared",
    "{count} missing-value codes ({codes}) cannot be declared in SPSS (at most 3 discrete values, or a "
    "range of contiguous codes plus one value); declared {declared}, not declared {dropped}.",
    "export",
)
STATA_LABELSET_NAME = define(
    "LABEL-DTA-001",
    "warning",
    "Value labels not written to .dta",
    "value labels of '{name}' are not written: pyreadstat names the label set '{labelset}', longer than "
    "Stata's 32 characters. Give the variable a name of at most {room} characters under 'variables'.",
    "export",
)

# apply-labels ------------------------------------------------------------------------------------
DATA_UNREADABLE = define(
    "APPLY-READ-001",
    "error",
    "Data file cannot be read",
    "cannot read {path}: {reason}. apply-labels reads .dta, .sav and .csv files.",
    "export",
)
DATA_FORMAT = define(
    "APPLY-FORMAT-001",
    "error",
    "Unsupported output format",
    "cannot write {path}: the output must end in .dta or .sav.",
    "export",
)
APPLY_NOT_IN_DATA = define(
    "APPLY-VAR-001",
    "info",
    "Module variable not in the data",
    "the data have no variable '{variable}'; its labels are not applied.",
    "export",
)
APPLY_NOT_IN_MODULE = define(
    "APPLY-VAR-002",
    "info",
    "Data variable not in the modules",
    "'{variable}' is not a variable of {modules}; it is written without module labels.",
    "export",
)
APPLY_NOT_NUMERIC = define(
    "APPLY-TYPE-001",
    "warning",
    "Coded variable holds text",
    "'{variable}' should hold numeric codes but holds text (e.g. '{example}'); value labels and missing "
    "values are not applied to it. Convert it to numbers first.",
    "export",
)
APPLY_WRITE = define(
    "APPLY-WRITE-001",
    "error",
    "pyreadstat cannot write the data file",
    "pyreadstat could not write {path}: {reason}.",
    "export",
)
