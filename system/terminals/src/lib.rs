//! Kiosk and gate software, sans-IO: the workflows that drive devices and talk to the services.
