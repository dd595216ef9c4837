"""Quality: indicator results, the quality declarations' rules, and compliance per provider and month."""
