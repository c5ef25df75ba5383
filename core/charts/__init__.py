"""Chart builders, one module per page family: each takes plain results and returns an Altair chart,
so pages and the report draw the same thing."""
