"""Importing, exporting and removing compensation models (audited, whole or nothing)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tillit.audit.services import audit_record
from tillit.compensation.files import ModelDocument, VersionDocument, read_model, write_model
from tillit.compensation.models import CompensationModel, ModelVersion
from tillit.compensation.rules import rules_as_data
from tillit.registry.models import Contract


def model_document(model: CompensationModel) -> ModelDocument:
    versions = tuple(VersionDocument(v.valid_from, v.rules) for v in model.versions.order_by("valid_from"))
    return ModelDocument(model.name, model.description, versions)


def model_export(model: CompensationModel) -> str:
    """The model as the TOML file that `compensation_model_import` reads back unchanged."""
    return write_model(model_document(model))


@transaction.atomic
def compensation_model_import(*, actor: Any, text: str, file_name: str, contract: Contract | None = None
                              ) -> tuple[CompensationModel, bool]:
    """Create the model the file describes, or replace the versions of the contract's model of
    that name. Returns (model, changed): the same file twice changes nothing and says so."""
    document = read_model(text, file_name)
    model = CompensationModel.objects.filter(contract=contract, name=document.name).first()
    before = model_export(model) if model else None
    after = write_model(document)
    if before == after and model.description == document.description:
        return model, False
    if model is None:
        model = CompensationModel.objects.create(contract=contract, name=document.name,
                                                 description=document.description, updated_by=_user(actor))
    else:
        model.description, model.updated_by = document.description, _user(actor)
        model.save()
        model.versions.all().delete()
    ModelVersion.objects.bulk_create(
        ModelVersion(model=model, valid_from=v.valid_from, rules_data=rules_as_data(v.rules)) for v in document.versions
    )
    audit_record(
        actor=actor, event_type="compensation_model.imported" if before is None else "compensation_model.changed",
        target=model, target_label=model.name, organisation=contract.provider.organisation if contract else None,
        old={"file": before} if before else None, new={"file": after, "file_name": file_name},
    )
    return model, True


@transaction.atomic
def compensation_model_delete(*, actor: Any, model: CompensationModel) -> None:
    audit_record(actor=actor, event_type="compensation_model.deleted", target=model, target_label=model.name,
                 organisation=model.contract.provider.organisation if model.contract else None,
                 old={"file": model_export(model)})
    model.delete()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
