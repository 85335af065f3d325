"""Local stand-ins for the systems the shop talks to: the payment providers (``payments``)
and the core AfriGest system (``core``)."""
