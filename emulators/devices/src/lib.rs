//! Emulated devices: synthetic fingers and readers, cameras, scanners, printers, dispensers, gate doors.
