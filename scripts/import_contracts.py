"""jineng's own import-linter contract type: an app's public surface.

    [[tool.importlinter.contracts]]
    type = "public_surface"
    apps = ["jineng.registry", "jineng.catalog", ...]
    public = ["services", "selectors", "choices", "hooks", "signals", "tasks", "models"]

Another app may import an app only through the modules named in `public` (and their
submodules: `training.services.enrollment` is part of `training.services`). An app's own
modules import each other freely. `exempt_importers` (wiring such as `jineng.config`) may
import anything; `ignore_imports` lists known exceptions, each to be removed (one line each,
"importer -> imported"). Loaded by import-linter through `contract_types` in pyproject.toml
(lint-imports puts the working directory on sys.path).
"""

from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output


class PublicSurfaceContract(Contract):
    type_name = "public_surface"

    apps = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    exempt_importers = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def _app_of(self, module: str) -> str | None:
        for app in self.apps:  # type: ignore[attr-defined]
            if module == app or module.startswith(app + "."):
                return app
        return None

    def _is_public(self, app: str, module: str) -> bool:
        tail = module[len(app) + 1:].split(".")[0] if module != app else ""
        return tail in set(self.public)  # type: ignore[arg-type]

    def check(self, graph, verbose: bool) -> ContractCheck:
        exempt = tuple(self.exempt_importers or ())  # type: ignore[arg-type]
        ignored = set()
        for line in self.ignore_imports or ():  # type: ignore[union-attr]
            importer, _arrow, imported = line.partition("->")
            ignored.add((importer.strip(), imported.strip()))
        unmatched = set(ignored)
        violations: list[tuple[str, str, list]] = []
        for importer in sorted(graph.modules):
            source_app = self._app_of(importer)
            if importer.startswith(exempt) if exempt else False:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target_app = self._app_of(imported)
                if target_app is None or target_app == source_app:
                    continue
                if imported == target_app or self._is_public(target_app, imported):
                    continue
                if (importer, imported) in ignored:
                    unmatched.discard((importer, imported))
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                violations.append((importer, imported,
                                   [d["line_number"] for d in details]))
        return ContractCheck(kept=not violations and not unmatched,
                             metadata={"violations": violations,
                                       "unmatched": sorted(unmatched)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["violations"]:
            where = ", ".join(f"l.{n}" for n in lines)
            output.print_error(
                f"{importer} -> {imported} ({where}): not part of the app's public surface "
                f"({', '.join(self.public)})", bold=False)  # type: ignore[arg-type]
        for importer, imported in check.metadata["unmatched"]:
            output.print_error(f"ignore_imports entry no longer needed: {importer} -> "
                               f"{imported}: remove it", bold=False)
        output.new_line()
        output.print("Reach another app through its services, selectors, choices or hooks "
                      "(docs/architecture.md); a lower app asks a higher one through a hook.")
