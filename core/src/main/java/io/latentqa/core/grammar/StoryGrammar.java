package io.latentqa.core.grammar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;


/**
 * Story openings for TinyStories models such as stories260K, which continue text and follow no system prompt:
 * "Once upon a time there was a sad little cat named Tom who loved his red ball."
 * <p>
 * Slots: {@code mood}, {@code name} (which fixes his/her), {@code character} (an animal, or a girl/boy that
 * matches the name), {@code color} and {@code object}. The attributes recorded are mood, character, animal
 * (only when the character is an animal), name, color and object. Words are from the TinyStories vocabulary.
 */
public final class StoryGrammar implements Grammar {

    public static final String NAME = "stories";
    /** Every opening: groups mood, character, name, his/her, color, object. */
    public static final Pattern OPENING = Pattern.compile(
            "Once upon a time there was an? (\\w+) little (\\w+) named (\\w+) who loved (his|her) (\\w+) ([\\w ]+)\\.");

    public static final List<String> MOODS = List.of("happy", "sad", "angry", "scared", "sleepy", "curious", "brave", "shy",
            "grumpy", "silly");
    public static final List<String> BOY_NAMES = List.of("Tom", "Ben", "Tim", "Max", "Sam", "Jack");
    public static final List<String> GIRL_NAMES = List.of("Lily", "Sue", "Mia", "Anna", "Lucy", "Amy");
    public static final List<String> ANIMALS = List.of("cat", "dog", "bird", "fish", "frog", "bunny", "bear", "duck",
            "mouse", "pig", "owl", "lion");
    public static final List<String> COLORS = List.of("red", "blue", "green", "yellow", "pink", "purple", "orange", "brown");
    public static final List<String> OBJECTS = List.of("ball", "kite", "hat", "car", "boat", "doll", "book", "drum",
            "toy train", "balloon");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String kind() {
        return "story";
    }

    @Override
    public Map<String, List<String>> slots() {
        List<String> names = new ArrayList<>(BOY_NAMES);
        names.addAll(GIRL_NAMES);
        List<String> characters = new ArrayList<>(ANIMALS);
        characters.add("girl");
        characters.add("boy");
        Map<String, List<String>> slots = new LinkedHashMap<>();
        slots.put("mood", MOODS);
        slots.put("character", characters);
        slots.put("animal", ANIMALS);
        slots.put("name", names);
        slots.put("color", COLORS);
        slots.put("object", OBJECTS);
        return slots;
    }

    @Override
    public GrammarControl draw(SplittableRandom random) {
        String mood = pick(MOODS, random);
        boolean girl = random.nextBoolean();
        String name = pick(girl ? GIRL_NAMES : BOY_NAMES, random);
        // one character in four is a child, the others are animals
        boolean child = random.nextInt(4) == 0;
        String character = child ? (girl ? "girl" : "boy") : pick(ANIMALS, random);
        String color = pick(COLORS, random);
        String object = pick(OBJECTS, random);
        String text = "Once upon a time there was " + Grammar.withArticle(mood) + " little " + character + " named "
                + name + " who loved " + (girl ? "her " : "his ") + color + " " + object + ".";
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("mood", mood);
        attributes.put("character", character);
        if (!child) {
            attributes.put("animal", character);
        }
        attributes.put("name", name);
        attributes.put("color", color);
        attributes.put("object", object);
        String label = String.join("-", "story", mood, character, name.toLowerCase(), color, object.replace(' ', '_'));
        return new GrammarControl(label, text, attributes);
    }

    @Override
    public List<TemplateQa> questions(Map<String, String> attributes, Map<String, String> distractors) {
        String character = attributes.get("character");
        String name = attributes.get("name");
        String mood = attributes.get("mood");
        String color = attributes.get("color");
        String object = attributes.get("object");
        List<TemplateQa> questions = new ArrayList<>();
        if (attributes.containsKey("animal")) {
            questions.add(new TemplateQa("animal", "What animal is the story about?", Grammar.withArticle(character)));
        }
        questions.add(new TemplateQa("character", "Who is the main character of the story?",
                Grammar.withArticle("little " + character) + " named " + name));
        questions.add(new TemplateQa("name", "What is the name of the main character?", name));
        questions.add(new TemplateQa("mood", "How does the main character feel?", mood));
        questions.add(new TemplateQa("object", "What does the main character love?",
                Grammar.withArticle(color + " " + object)));
        questions.add(new TemplateQa("color", "What color is the thing the main character loves?", color));
        questions.add(new TemplateQa("character-yes", "Is the story about " + Grammar.withArticle(character) + "?",
                "Yes, it is about " + Grammar.withArticle(character) + "."));
        String otherCharacter = distractors.get("character");
        if (otherCharacter != null && !otherCharacter.equals(character)) {
            questions.add(new TemplateQa("character-no", "Is the story about " + Grammar.withArticle(otherCharacter) + "?",
                    "No, it is about " + Grammar.withArticle(character) + "."));
        }
        String otherMood = distractors.get("mood");
        if (otherMood != null && !otherMood.equals(mood)) {
            questions.add(new TemplateQa("mood-no", "Is the main character " + otherMood + "?",
                    "No, the main character is " + mood + "."));
        }
        return questions;
    }

    private static String pick(List<String> values, SplittableRandom random) {
        return values.get(random.nextInt(values.size()));
    }
}
