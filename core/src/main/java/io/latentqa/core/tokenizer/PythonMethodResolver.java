package io.latentqa.core.tokenizer;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lets Jinjava call the Python methods that Hugging Face chat templates use on strings and dicts
 * ({@code content.strip()}, {@code role.startswith('a')}, {@code message.get('name', 'x')},
 * {@code text.split()}...). Jinjava resolves {@code x.m()} to a Java method; Java has
 * {@code String.strip()} but no {@code startswith}, {@code upper} or {@code split} returning a list,
 * so this resolver, placed first, answers those calls with Python semantics and leaves every other
 * call to Jinjava.
 */
final class PythonMethodResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result;
        if (base instanceof CharSequence text) {
            result = stringMethod(text.toString(), method.toString(), args);
        } else if (base instanceof Map<?, ?> map) {
            result = mapMethod(map, method.toString(), args);
        } else {
            return null;
        }
        if (result == NOT_HANDLED) {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object stringMethod(String s, String name, Object[] args) {
        switch (name) {
            case "strip":
                return args.length == 0 || args[0] == null ? stripWhitespace(s, true, true) : stripChars(s, str(args[0]), true, true);
            case "lstrip":
                return args.length == 0 || args[0] == null ? stripWhitespace(s, true, false) : stripChars(s, str(args[0]), true, false);
            case "rstrip":
                return args.length == 0 || args[0] == null ? stripWhitespace(s, false, true) : stripChars(s, str(args[0]), false, true);
            case "startswith":
                return affix(s, args, true);
            case "endswith":
                return affix(s, args, false);
            case "upper":
                return s.toUpperCase(Locale.ROOT);
            case "lower":
                return s.toLowerCase(Locale.ROOT);
            case "title":
                return title(s);
            case "capitalize":
                return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "split":
                return split(s, args);
            case "find":
                return s.indexOf(str(args[0]));
            case "count":
                return count(s, str(args[0]));
            case "join":
                return join(s, args[0]);
            case "replace":
                if (args.length == 2) {
                    return s.replace(str(args[0]), str(args[1]));
                }
                return NOT_HANDLED;
            case "isspace":
                return !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "isdigit":
                return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            default:
                return NOT_HANDLED;
        }
    }

    private static Object mapMethod(Map<?, ?> map, String name, Object[] args) {
        switch (name) {
            case "get":
                if (args.length == 2) {
                    return map.containsKey(args[0]) ? map.get(args[0]) : args[1];
                }
                return NOT_HANDLED;
            case "items": {
                List<List<Object>> items = new ArrayList<>();
                map.forEach((k, v) -> items.add(List.of(k, v == null ? "" : v)));
                return items;
            }
            case "keys":
                return new ArrayList<>(map.keySet());
            case "values":
                return new ArrayList<>(map.values());
            default:
                return NOT_HANDLED;
        }
    }

    private static String str(Object value) {
        return value == null ? "None" : value.toString();
    }

    /** Python str.isspace() characters are what Character.isWhitespace() accepts, plus a few separators. */
    private static boolean isPythonSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x1F || c == 0x85;
    }

    private static String stripWhitespace(String s, boolean left, boolean right) {
        int begin = 0;
        int end = s.length();
        while (left && begin < end && isPythonSpace(s.charAt(begin))) {
            begin++;
        }
        while (right && end > begin && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(begin, end);
    }

    private static String stripChars(String s, String chars, boolean left, boolean right) {
        int begin = 0;
        int end = s.length();
        while (left && begin < end && chars.indexOf(s.charAt(begin)) >= 0) {
            begin++;
        }
        while (right && end > begin && chars.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(begin, end);
    }

    /** startswith / endswith with a string or a tuple/list of strings. */
    private static boolean affix(String s, Object[] args, boolean prefix) {
        if (args.length == 0) {
            throw new IllegalArgumentException((prefix ? "startswith" : "endswith") + "() needs an argument");
        }
        Object arg = args[0];
        Collection<?> options = arg instanceof Collection<?> c ? c : arg instanceof Object[] a ? List.of(a) : List.of(str(arg));
        for (Object option : options) {
            String o = str(option);
            if (prefix ? s.startsWith(o) : s.endsWith(o)) {
                return true;
            }
        }
        return false;
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            boolean cased = Character.isLetter(c);
            out.appendCodePoint(cased ? (previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c)) : c);
            previousCased = cased;
            i += Character.charCount(c);
        }
        return out.toString();
    }

    /** Python str.split(sep=None, maxsplit=-1). */
    private static List<String> split(String s, Object[] args) {
        String sep = args.length > 0 && args[0] != null ? str(args[0]) : null;
        int maxSplit = args.length > 1 && args[1] != null ? ((Number) args[1]).intValue() : -1;
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isPythonSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(stripWhitespace(s.substring(i), false, true));
                    break;
                }
                int j = i;
                while (j < n && !isPythonSpace(s.charAt(j))) {
                    j++;
                }
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("split(): empty separator");
        }
        int start = 0;
        while (maxSplit < 0 || parts.size() < maxSplit) {
            int at = s.indexOf(sep, start);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(start, at));
            start = at + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String separator, Object items) {
        Iterable<?> iterable = items instanceof Iterable<?> it ? it : items instanceof Object[] a ? List.of(a) : List.of(items);
        StringBuilder out = new StringBuilder();
        for (Iterator<?> it = iterable.iterator(); it.hasNext(); ) {
            out.append(str(it.next()));
            if (it.hasNext()) {
                out.append(separator);
            }
        }
        return out.toString();
    }

    // ---- the rest of ELResolver: this resolver only handles method calls

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
