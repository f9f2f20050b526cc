"""Every way data gets into sanctionnet: the interchange bundle, the demo generator."""
