//! Wire formats: ISO 7816-4 APDUs, BER-TLV, ICAO 9303 LDS, BAC, PACE, secure messaging, chip and passive authentication, ISO/IEC 19794-2 templates.
