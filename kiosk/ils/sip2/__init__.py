"""SIP2 (3M Standard Interchange Protocol 2.00): wire codec and TCP client."""
