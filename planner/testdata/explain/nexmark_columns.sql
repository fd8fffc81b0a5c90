SELECT auction, 0.908 * price AS price FROM nexmark.bid WHERE auction % 123 = 0
