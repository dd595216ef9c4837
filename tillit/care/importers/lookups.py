"""Finding the recipients and providers that care-data rows refer to, once per delivery."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from tillit.care.models import Recipient
from tillit.care.protection import lookup_hash, recipient_key_from_row
from tillit.common.personal_ids import RecipientKey
from tillit.deliveries.importers import RowRejected
from tillit.registry.importers import provider_from_row
from tillit.registry.models import Provider


class RowReferences:
    """Maps a row's recipient id and provider org number to registered records.

    A recipient that is not registered is rejected, unless the installation allows
    creating recipients from care data (TILLIT_CREATE_UNKNOWN_RECIPIENTS) and the id
    itself carries a birth date.
    """

    def __init__(self) -> None:
        self.recipients = dict(Recipient.objects.values_list("id_hash", "pk"))
        self.providers = {p.org_number: p for p in Provider.objects.all()}
        self.create_unknown = settings.TILLIT_CREATE_UNKNOWN_RECIPIENTS

    def provider(self, values: dict[str, str]) -> Provider:
        return provider_from_row(self.providers, values)

    def recipient(self, values: dict[str, str]) -> tuple[RecipientKey, int | None]:
        """(key, recipient id); the id is None for a recipient to be created on write."""
        key = recipient_key_from_row(values, reference=True)
        recipient_id = self.recipients.get(lookup_hash(key))
        if recipient_id is None:
            if self.create_unknown and key.kind != Recipient.IdKind.PSEUDONYM:
                return key, None
            raise RowRejected(
                "recipient_id",
                key.masked,
                _("The recipient %(id)s is not registered; load the recipients file first.") % {"id": key.masked},
            )
        return key, recipient_id

    def create_missing(self, keys: list[RecipientKey], delivery: object) -> dict[str, int]:
        """Register recipients that rows referred to and return canonical id → recipient id."""
        from tillit.care.protection import protect

        created: dict[str, int] = {}
        for key in keys:
            if key.canonical in created:
                continue
            id_hash, id_encrypted = protect(key)
            recipient, _new = Recipient.objects.get_or_create(
                id_hash=id_hash,
                defaults={
                    "id_kind": key.kind,
                    "id_encrypted": id_encrypted,
                    "birth_date": key.birth_date,
                    "source_delivery": delivery,
                },
            )
            created[key.canonical] = recipient.pk
            self.recipients[id_hash] = recipient.pk
        return created
