package io.latentqa.stack;

import java.util.HashMap;
import java.util.Map;

/** Command-line options of the stack's main classes: {@code --name value} pairs. */
final class Options {

    private Options() {
    }

    /**
     * @param args the command line
     * @param required names that must be present
     * @return option name to value
     */
    static Map<String, String> parse(String[] args, String... required) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        for (String name : required) {
            if (!options.containsKey(name)) {
                throw new IllegalArgumentException("missing option --" + name);
            }
        }
        return options;
    }

    static int port(Map<String, String> options, String name) {
        String value = options.get(name);
        try {
            int port = Integer.parseInt(value);
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a port number 1-65535, got '" + value + "'");
    }
}
