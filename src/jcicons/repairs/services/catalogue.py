"""The catalogue of services ADMIN keeps, and the labour lines taken from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from jcicons.audit.services import record_audit
from jcicons.exceptions import DomainError
from jcicons.extensions import db
from jcicons.repairs.models import (
    RepairService,
    RepairTicket,
    ServiceType,
)

if TYPE_CHECKING:
    from jcicons.auth.models import User


# The catalogue of services --------------------------------------------------------


@dataclass
class ServiceTypeData:
    """A service as ADMIN types it into the catalogue."""

    name: str
    default_price_centavos: int
    warranty_days: int


def _check_service_type(data: ServiceTypeData, current: ServiceType | None) -> str:
    name = " ".join(data.name.split())
    if not name:
        raise DomainError("Give the service a name.", field="name")
    if data.default_price_centavos < 0:
        raise DomainError("The price cannot be negative.", field="default_price")
    if not 0 <= data.warranty_days <= 3650:
        raise DomainError(
            "Warranty days go from 0 to 3650 (ten years).", field="warranty_days"
        )
    clash = db.session.scalar(
        select(ServiceType).where(func.lower(ServiceType.name) == name.lower())
    )
    if clash is not None and clash is not current:
        raise DomainError(f"There is a service named {clash.name} already.", "name")
    return name


def create_service_type(data: ServiceTypeData, actor: User) -> ServiceType:
    """Add a service to the catalogue."""
    name = _check_service_type(data, None)
    service = ServiceType(
        name=name,
        default_price_centavos=data.default_price_centavos,
        warranty_days=data.warranty_days,
    )
    db.session.add(service)
    db.session.flush()
    record_audit(
        actor,
        "service_type.create",
        "service_type",
        service.id,
        None,
        _service_facts(service),
    )
    return service


def update_service_type(
    service: ServiceType, data: ServiceTypeData, actor: User
) -> None:
    """Change a service's name, price or warranty; tickets keep what they agreed."""
    before = _service_facts(service)
    service.name = _check_service_type(data, service)
    service.default_price_centavos = data.default_price_centavos
    service.warranty_days = data.warranty_days
    db.session.flush()
    record_audit(
        actor,
        "service_type.update",
        "service_type",
        service.id,
        before,
        _service_facts(service),
    )


def set_service_type_archived(
    service: ServiceType, archived: bool, actor: User
) -> None:
    """Hide a service from intake (or bring it back); its history stays."""
    if service.is_archived == archived:
        return
    service.is_archived = archived
    action = "service_type.archive" if archived else "service_type.restore"
    record_audit(
        actor, action, "service_type", service.id, None, {"name": service.name}
    )


def _service_facts(service: ServiceType) -> dict[str, Any]:
    return {
        "name": service.name,
        "default_price_centavos": service.default_price_centavos,
        "warranty_days": service.warranty_days,
    }


def active_service_types() -> list[ServiceType]:
    """Return the services offered at intake, by name."""
    return list(
        db.session.scalars(
            select(ServiceType)
            .where(ServiceType.is_archived.is_(False))
            .order_by(ServiceType.name)
        )
    )


def chosen_services(ids: list[int]) -> list[ServiceType]:
    if not ids:
        return []
    found = {
        service.id: service
        for service in db.session.scalars(
            select(ServiceType).where(ServiceType.id.in_(ids))
        )
    }
    chosen = []
    for service_id in dict.fromkeys(ids):
        service = found.get(service_id)
        if service is None or service.is_archived:
            raise DomainError("One of the services is no longer offered.", "services")
        chosen.append(service)
    return chosen


def add_service_line(
    ticket: RepairTicket, service: ServiceType, price: int, actor: User
) -> RepairService:
    # Through the relationship: the backref queues the line on an unloaded
    # collection instead of loading it (which would list an autoflushed line twice).
    line = RepairService(
        ticket=ticket,
        service_type_id=service.id,
        name=service.name,
        price_centavos=price,
        warranty_days=service.warranty_days,
        added_by_id=actor.id,
    )
    db.session.add(line)
    return line
