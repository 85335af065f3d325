"""Imports every model so metadata (migrations, create_all) sees the whole schema."""
from app.api.models import ApiKey  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.cart.models import Cart, CartLine  # noqa: F401
from app.catalog.models import Category, Product, ProductImage, SlugRedirect, Tag, Variant, VariantOption  # noqa: F401
from app.customers.models import Address, Customer  # noqa: F401
from app.inventory.models import Reservation, StockLevel, StockMovement  # noqa: F401
from app.orders.models import Counter, Order, OrderLine, OrderStatusChange  # noqa: F401
from app.outbox.models import OutboxMessage  # noqa: F401
from app.payments.models import Payment, ProviderEvent, Refund  # noqa: F401
from app.staff.models import StaffUser  # noqa: F401  # noqa: F401
from app.sync.models import CoreConnection, SyncEvent  # noqa: F401
from app.tenancy.models import Domain, Store, Tenant  # noqa: F401
