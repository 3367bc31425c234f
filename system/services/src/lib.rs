//! The real services, sans-IO: booking, registration, production, collection, registry, clearance, verification, outreach.
