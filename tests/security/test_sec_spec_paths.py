"""A spec's paths stay inside its folder: ``files:``, ``work_dir``, an MCP ``cwd`` and model files may not leave
it or pass through a symlink; nothing is copied after a refusal (issue 10, item 12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from security_support import accord, clean_env, output

from accord.spec import SpecError, load_spec

SCRIPT = '["```python\\nprint(open(\'notes.txt\').read())\\n```", "done TERMINATE"]'


def _bundle(root: Path, files_line: str) -> Path:
    bundle = root / "bundle"
    bundle.mkdir()
    (bundle / "notes.txt").write_text("inside the bundle")
    (bundle / "script.json").write_text(SCRIPT)
    (bundle / "spec.yaml").write_text(
        "task: read it\n"
        "agents:\n"
        "  - name: coder\n    model: scripted:script.json\n"
        "  - name: runner\n    type: code_executor\n    executor:\n      work_dir: work\n"
        f"      files: {files_line}\n"
        "team: {max_turns: 2}\n"
    )
    return bundle


def test_files_outside_the_spec_folder_are_refused_and_not_copied(tmp_path: Path) -> None:
    hidden = tmp_path / ".secrets"
    hidden.mkdir()
    (hidden / ".npmrc").write_text("//registry.npmjs.org/:_authToken=npm_SECRET")
    bundle = _bundle(tmp_path, "[../.secrets/.npmrc]")
    result = accord("run", bundle / "spec.yaml", cwd=tmp_path, env=clean_env())
    assert result.returncode == 2, output(result)
    assert "spec.yaml:9: agents[1].executor.files[0]" in result.stderr and "outside the spec's folder" in result.stderr
    assert "npm_SECRET" not in result.stdout + result.stderr
    assert not (bundle / "work").exists()  # nothing half-done


def test_a_symlink_inside_the_spec_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "host-file"
    target.write_text("host secret")
    bundle = _bundle(tmp_path, "[notes-link.txt]")
    os.symlink(target, bundle / "notes-link.txt")
    with pytest.raises(SpecError, match=r"notes-link\.txt is a symlink"):
        load_spec(bundle / "spec.yaml")
    (bundle / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    (bundle / "spec.yaml").write_text(
        (bundle / "spec.yaml").read_text().replace("[notes-link.txt]", "[linked-dir/host-file]")
    )
    with pytest.raises(SpecError, match=r"linked-dir is a symlink"):
        load_spec(bundle / "spec.yaml")


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("work_dir", "agents:\n  - name: r\n    type: code_executor\n    executor:\n      work_dir: /etc\n"),
        (
            "cwd",
            "mcp_servers:\n  s:\n    command: npx\n    cwd: ../..\n"
            "agents:\n  - name: a\n    model: scripted:s.json\n    mcp: [s]\n",
        ),
        ("model file", "agents:\n  - name: a\n    model: scripted:../outside.json\n"),
        ("model file", "agents:\n  - name: a\n    model: local:/etc/passwd\n"),
    ],
)
def test_other_paths_a_spec_names_stay_inside_its_folder(tmp_path: Path, field: str, text: str) -> None:
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "s.json").write_text('["x"]')
    (tmp_path / "outside.json").write_text('["from outside"]')
    (folder / "spec.yaml").write_text(text)
    with pytest.raises(SpecError, match=f"{field} .*outside the spec's folder"):
        load_spec(folder / "spec.yaml")


def test_files_inside_the_folder_still_work_and_the_user_may_name_any_model_file(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, "[notes.txt]")
    built = load_spec(bundle / "spec.yaml")
    assert [f.name for f in built.executor_files[0].files] == ["notes.txt"]
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('["typed by the user"]')
    built = load_spec(bundle / "spec.yaml", model=f"scripted:{elsewhere}")  # --model is the user's, not the spec's
    assert built.models[0].reference == f"scripted:{elsewhere}"
