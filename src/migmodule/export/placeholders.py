"""Parameters still at their generic placeholder, for every export with or without a profile.

A module marks the parameters whose generic value only stands in for a national one
(`required_in_profile`: the census country, its reference date, its administrative areas).
`migmodule profile check` reports them for a profile; an export from the command line without a
profile (`--country KEN`) reports them here, so "Area 1 / Area 2 / Area 3" never ships silently.
"""

from __future__ import annotations

from migmodule.codes import Finding, Location
from migmodule.profile import PROFILE_PARAMETER_UNSET, Adapted
from migmodule.spec.params import resolve_parameters


def placeholder_findings(adapted: list[Adapted]) -> list[Finding]:
    """PROFILE-PARAM-001 for every required parameter whose value is still the generic default."""
    findings = []
    for one in adapted:
        generic = resolve_parameters(one.module, {})
        for parameter in one.module.parameters:
            value = one.params.get(parameter.id)
            if parameter.required_in_profile and value == generic.get(parameter.id):
                findings.append(
                    Finding.make(
                        PROFILE_PARAMETER_UNSET,
                        Location(module=one.module.ref),
                        module=one.module.ref,
                        name=parameter.id,
                        value=value,
                    )
                )
    return findings
