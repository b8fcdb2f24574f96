"""The public names of accord.spec and accord.cli (the curated __all__)."""

from __future__ import annotations

import accord.cli
import accord.spec


def test_spec_public_names() -> None:
    assert sorted(accord.spec.__all__) == sorted(
        [
            "PROVIDERS",
            "AgentSpec",
            "BuiltSpec",
            "EdgeSpec",
            "ExecutorFiles",
            "ExecutorSpec",
            "HandoffSpec",
            "McpServerSpec",
            "ModelSpec",
            "NoModelAvailableError",
            "ProviderStatus",
            "ResolvedModel",
            "SpecDocument",
            "SpecError",
            "SpecSource",
            "TeamSpec",
            "TerminationSpec",
            "UnknownModelError",
            "allow_env",
            "build_spec",
            "default_model_reference",
            "known_models",
            "load_spec",
            "no_model_instructions",
            "parse_spec_text",
            "provider_statuses",
            "read_spec_file",
            "resolve_model",
            "spec_json_schema",
            "validate_document",
        ]
    )
    for name in accord.spec.__all__:
        assert hasattr(accord.spec, name), name


def test_cli_public_names_and_errors() -> None:
    assert sorted(accord.cli.__all__) == ["LimitReachedError", "MeteredChatCompletionClient", "RunMeter", "main"]
    from accord.errors import ComponentError, RunError

    assert issubclass(accord.spec.SpecError, ComponentError) and issubclass(accord.spec.SpecError, ValueError)
    assert issubclass(accord.spec.UnknownModelError, accord.spec.SpecError)
    assert issubclass(accord.cli.LimitReachedError, RunError)


def test_importing_the_cli_package_does_not_import_typer_or_rich() -> None:
    import subprocess
    import sys

    code = "import sys, accord.cli; print('typer' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"
