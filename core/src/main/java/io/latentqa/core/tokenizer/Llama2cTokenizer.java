package io.latentqa.core.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tokenizer of llama2.c ({@code tokenizer.bin} / {@code tok512.bin}): a SentencePiece BPE
 * vocabulary with scores and byte fallback, encoded and decoded exactly as {@code run.c} does.
 *
 * <p>File, read in order: int32 max_token_length, then per token: float32 score, int32 length,
 * that many UTF-8 bytes, until the end of the file. Ids 0 = {@code <unk>}, 1 = BOS, 2 = EOS,
 * 3..258 = {@code <0x00>}..{@code <0xFF>}.
 *
 * <p>Unlike the Hugging Face tokenizers, run.c parses no special tokens inside text; {@link
 * #encode(String)} adds no BOS (the {@link Tokenizer} contract) but, like run.c, a dummy-prefix
 * space; {@link #encode(String, boolean, boolean)} is run.c's {@code encode} with its flags.
 */
public final class Llama2cTokenizer implements Tokenizer {

    public static final int BOS = 1;
    public static final int EOS = 2;
    private static final int BYTE_OFFSET = 3;

    private final byte[][] pieces;
    private final float[] scores;
    private final Map<String, Integer> ids; // piece bytes as ISO-8859-1 text (one char per byte) -> id

    private Llama2cTokenizer(byte[][] pieces, float[] scores) {
        this.pieces = pieces;
        this.scores = scores;
        this.ids = new HashMap<>();
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(key(pieces[i]), i);
        }
    }

    /** Reads a llama2.c tokenizer file. */
    public static Llama2cTokenizer load(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read llama2.c tokenizer " + path, e);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.remaining() < 4) {
            throw new IllegalArgumentException(path + " is too short for a llama2.c tokenizer (no max_token_length)");
        }
        buffer.getInt(); // max_token_length: only sizes run.c's buffers
        List<byte[]> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        while (buffer.hasRemaining()) {
            if (buffer.remaining() < 8) {
                throw new IllegalArgumentException(path + ": token " + pieces.size() + " is truncated (score and length need 8 bytes)");
            }
            scores.add(buffer.getFloat());
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException(path + ": token " + pieces.size() + " claims " + length + " bytes, "
                        + buffer.remaining() + " remain");
            }
            byte[] piece = new byte[length];
            buffer.get(piece);
            pieces.add(piece);
        }
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) {
            scoreArray[i] = scores.get(i);
        }
        return new Llama2cTokenizer(pieces.toArray(new byte[0][]), scoreArray);
    }

    /** Text to ids without BOS/EOS (run.c's encode with bos = eos = 0). */
    @Override
    public int[] encode(String text) {
        return encode(text, false, false);
    }

    /**
     * run.c's {@code encode}: optional BOS, a dummy-prefix space when the text is non-empty, each
     * UTF-8 code point looked up (bytes as {@code <0xXX>} tokens when absent), then the pair whose
     * merge has the highest score merged until none is left; optional EOS.
     */
    public int[] encode(String text, boolean bos, boolean eos) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        List<Integer> tokens = new ArrayList<>();
        if (bos) {
            tokens.add(BOS);
        }
        if (utf8.length > 0) {
            tokens.add(requireId(" "));
        }
        // one token per code point, or its bytes
        int i = 0;
        while (i < utf8.length) {
            int end = i + 1;
            while (end < utf8.length && (utf8[end] & 0xC0) == 0x80 && end - i < 4) {
                end++;
            }
            byte[] codePoint = java.util.Arrays.copyOfRange(utf8, i, end);
            Integer id = ids.get(key(codePoint));
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte b : codePoint) {
                    tokens.add((b & 0xFF) + BYTE_OFFSET);
                }
            }
            i = end;
        }
        // merge the best-scoring adjacent pair until no pair is in the vocabulary
        while (true) {
            float bestScore = -1e10f;
            int bestId = -1;
            int bestIndex = -1;
            for (int t = 0; t < tokens.size() - 1; t++) {
                Integer id = ids.get(key(pieces[tokens.get(t)]) + key(pieces[tokens.get(t + 1)]));
                if (id != null && scores[id] > bestScore) {
                    bestScore = scores[id];
                    bestId = id;
                    bestIndex = t;
                }
            }
            if (bestIndex == -1) {
                break;
            }
            tokens.set(bestIndex, bestId);
            tokens.remove(bestIndex + 1);
        }
        if (eos) {
            tokens.add(EOS);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * run.c's {@code decode(prev_token, token)}: the token's bytes, without the leading space when
     * it follows BOS, and {@code <0xXX>} pieces turned into that raw byte.
     */
    public byte[] piece(int previous, int token) {
        byte[] piece = pieces[token];
        int from = previous == BOS && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
        // sscanf(piece, "<0x%02hhX>", &byte) == 1
        if (piece.length - from >= 4 && piece[from] == '<' && piece[from + 1] == '0' && piece[from + 2] == 'x') {
            int value = 0;
            int digits = 0;
            while (digits < 2 && from + 3 + digits < piece.length && Character.digit(piece[from + 3 + digits], 16) >= 0) {
                value = value * 16 + Character.digit(piece[from + 3 + digits], 16);
                digits++;
            }
            if (digits > 0) {
                return new byte[] {(byte) value};
            }
        }
        return java.util.Arrays.copyOfRange(piece, from, piece.length);
    }

    /**
     * Ids to text by run.c's rules (each token's predecessor is the previous id; the first has
     * none), BOS and EOS themselves producing nothing; the bytes are then read as UTF-8, so
     * multi-byte characters spelt by byte tokens come back whole.
     */
    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        for (int id : ids) {
            if (id != BOS && id != EOS) {
                out.writeBytes(piece(previous, id));
            }
            previous = id;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String token(int id) {
        return new String(pieces[id], StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int idOf(String token) {
        return ids.getOrDefault(key(token.getBytes(StandardCharsets.UTF_8)), -1);
    }

    /** BOS ends a story in run.c's generation loop; EOS is included as well. */
    @Override
    public Set<Integer> stopTokens() {
        return Set.of(BOS, EOS);
    }

    /** The score of a token (its merge priority). */
    public float score(int id) {
        return scores[id];
    }

    private int requireId(String piece) {
        Integer id = ids.get(key(piece.getBytes(StandardCharsets.UTF_8)));
        if (id == null) {
            throw new IllegalStateException("the vocabulary has no '" + piece + "' token, which run.c's encode needs");
        }
        return id;
    }

    private static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
