package io.latentqa.core.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;

class StoryGrammarTest {

    final StoryGrammar grammar = new StoryGrammar();

    @Test
    void openingsSayWhatTheAttributesRecord() {
        for (GrammarControl control : Grammars.drawDistinct(grammar, 200, 1)) {
            Matcher matcher = StoryGrammar.OPENING.matcher(control.text());
            assertTrue(matcher.matches(), control.text());
            Map<String, String> attributes = control.attributes();
            assertEquals(attributes.get("mood"), matcher.group(1));
            assertEquals(attributes.get("character"), matcher.group(2));
            assertEquals(attributes.get("name"), matcher.group(3));
            assertEquals(attributes.get("color"), matcher.group(5));
            assertEquals(attributes.get("object"), matcher.group(6));
            boolean child = List.of("girl", "boy").contains(attributes.get("character"));
            assertEquals(!child, attributes.containsKey("animal"), control.toString());
            boolean girlName = StoryGrammar.GIRL_NAMES.contains(attributes.get("name"));
            assertEquals(girlName ? "her" : "his", matcher.group(4), control.text());
            if (child) {
                assertEquals(girlName ? "girl" : "boy", attributes.get("character"));
            }
        }
    }

    @Test
    void drawsAreDistinctDeterministicAndPrefixStable() {
        List<GrammarControl> ten = Grammars.drawDistinct(grammar, 10, 42);
        List<GrammarControl> twenty = Grammars.drawDistinct(grammar, 20, 42);
        assertEquals(ten, twenty.subList(0, 10));
        assertEquals(20, twenty.stream().map(GrammarControl::label).distinct().count());
    }

    /** A grammar of three controls. */
    static final class TinyGrammar implements Grammar {
        public String name() {
            return "tiny";
        }

        public String kind() {
            return "tiny";
        }

        public Map<String, List<String>> slots() {
            return Map.of("color", List.of("red", "green", "blue"));
        }

        public GrammarControl draw(java.util.SplittableRandom random) {
            String color = slots().get("color").get(random.nextInt(3));
            return new GrammarControl("tiny-" + color, "A " + color + " thing.", Map.of("color", color));
        }

        public List<TemplateQa> questions(Map<String, String> attributes, Map<String, String> distractors) {
            return List.of();
        }
    }

    @Test
    void askingForMoreControlsThanTheGrammarHasFails() {
        assertEquals(3, Grammars.drawDistinct(new TinyGrammar(), 3, 1).size());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Grammars.drawDistinct(new TinyGrammar(), 4, 1));
        assertTrue(e.getMessage().contains("made only 3 distinct controls"), e.getMessage());
    }

    @Test
    void attributeQuestionsAnswerFromTheAttributes() {
        Map<String, String> cat = Map.of("mood", "sad", "character", "cat", "animal", "cat", "name", "Tom",
                "color", "red", "object", "ball");
        List<TemplateQa> questions = grammar.questions(cat, Map.of("character", "dog", "mood", "happy"));
        assertTrue(questions.contains(new TemplateQa("animal", "What animal is the story about?", "a cat")));
        assertTrue(questions.contains(new TemplateQa("object", "What does the main character love?", "a red ball")));
        assertTrue(questions.contains(new TemplateQa("character-no", "Is the story about a dog?", "No, it is about a cat.")));
        assertTrue(questions.contains(new TemplateQa("mood-no", "Is the main character happy?",
                "No, the main character is sad.")));
    }
}
