"""Demo data: ``flask seed-demo`` creates two realistic tenants (see :mod:`devtools.demo.seed`)."""
